"""Background work: a registry of task types (`registry`, filled by `tasks`), what a running job
sees (`context`), their lifecycle (`runner`), and two queues that run them (`queue`): threads inside
`greffier serve`, or Celery workers over Redis."""
