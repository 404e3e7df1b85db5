"""SAMU-Hub (Hub Santé) transport: the AMQP client (`client`) and the outbox relay (`relay`)."""
