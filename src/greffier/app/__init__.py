"""The use-cases the API, the CLI and the jobs share: plain functions of the backends (`Backends`:
settings, database, blobs, queue) and typed inputs, returning domain objects (ORM rows, `Transcript`s,
dataclasses) or raising the `greffier.errors.Refused` family. The adapters parse and map: the routers
of `greffier.api` turn a `Refused` into an HTTP status, the CLI into an exit code, the task types of
`greffier.jobs.tasks` into a failed job. Nothing here imports `greffier.api`, `greffier.cli` or the job
runner (`jobs.queue`, `jobs.runner`, `jobs.tasks`): jobs are queued through a port (`JobSubmitter`).

- `backends`: what a use-case runs against, and queueing a job (marked failed when the broker is down)
- `meetings`: upload a recording, find, list and erase meetings, read a transcript version
- `transcripts`: read a client's transcript document, save a version (`If-Match`), correct, export
- `assistant`: write minutes, ask a question, and read what their jobs wrote
- `calls`: fill the emergency-call case form from a transcript, and read it
- `delivery`: a meeting's deliveries listed, sent now, sent again, and its choice of destinations
- `destinations`: where an organisation's meetings are delivered: added, listed, removed
- `delivery_secrets`: the key sealing destinations' secrets rotated
- `consent`: licences, speakers' consents, and the open-dataset exports
- `dataset_export`: an organisation's open dataset written from the database (the job's zip, the CLI's folder)
- `recordings`: what a stored recording is named and served as
- `roles`: what only an organisation's admin may do (manage its destinations)
"""
