"""Delivery of meetings where the organisation works: a Matrix room, a WebDAV folder, e-mail, a
webhook. `destinations` keeps where (secrets sealed, `secrets`); `schedule` records what is owed
(a `Delivery` per event and destination) and queues a `deliver` job; `send` runs one delivery with
retries; `content` builds what is sent; one module per kind of destination does the talking."""
