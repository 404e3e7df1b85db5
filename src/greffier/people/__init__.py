"""People of an organisation known by their voice, with their consent (GDPR art. 9: a voiceprint is
biometric data).

- `model`: the person and voiceprint records (dataclasses);
- `voiceprint`: a speaker's CAM++ centroid from at least `MIN_SPEECH_S` of their speech;
- `identify`: the speakers of a recording matched one-to-one with the organisation's prints;
- `label`: a diarized transcript's speakers given the names of the people found;
- `known`: a transcribed meeting's speakers named after its organisation's people (the `identify` job option);
- `local`: the CLI's own store (a SQLite file in the data folder, the service's schema).

The service keeps people in its database (`store.people`), per organisation.
"""
