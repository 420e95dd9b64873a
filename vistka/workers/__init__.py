"""Scale-out: the pipeline's stage functions as Celery tasks, one queue per stage.

Used only when VISTKA_BROKER_URL is set; the embedded default runs the same functions in-process.
"""
