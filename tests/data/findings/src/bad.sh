#!/bin/sh
# Defects for shellcheck: each line below is wrong on purpose.
dir=$1
cd $dir
files=$(ls *.txt)
for f in $files; do
	echo "found: $f"
done
if [ $# == 1 ]; then
	echo 'unused: $HOME'
fi
read name
unused=1
printf "%s\n" $@
