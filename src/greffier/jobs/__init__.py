"""Background work: a registry of task types (`tasks`), their lifecycle (`runner`), and two queues
that run them (`queue`): threads inside `greffier serve`, or Celery workers over Redis."""
