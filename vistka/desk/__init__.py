"""The editor's desk: a face over the model and the pipeline, like the CLI — the admin (sources with
discovery, articles, the review queue, story merge/split, comments), the translation desk, the dashboard,
the `editor` group, login lock-out, and the resumable batch jobs behind `vistka retranslate`."""
