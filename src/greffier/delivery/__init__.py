"""Delivery of meetings where the organisation works: a Matrix room, a WebDAV folder, e-mail, a
webhook: the mechanics. `kinds` says what each kind of destination is configured with, `secrets`
seals their secrets; `schedule` records what is owed (a `Delivery` per event and destination) and
queues a `deliver` job; `send` runs one delivery with retries; `content` builds what is sent; one module
per kind of destination does the talking. The use-cases (destinations added and removed, a meeting's
deliveries sent, sent again, listed) are `greffier.app.destinations` and `greffier.app.delivery`'s."""
