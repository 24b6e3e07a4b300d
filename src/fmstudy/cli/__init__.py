"""Stage 11, the command line: options parsed, one library call, the answer printed."""
