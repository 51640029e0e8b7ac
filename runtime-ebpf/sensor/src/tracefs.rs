//! Tracepoint record layouts, from `/sys/kernel/tracing/events/<category>/<name>/format`.
