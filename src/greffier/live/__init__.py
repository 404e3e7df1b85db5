"""Live transcription: the protocol, audio frame decoding, and the streams (see `session`)."""
