#!/bin/bash
# The image runs this from its working directory.
exec redis-server --appendonly yes --dir /data
