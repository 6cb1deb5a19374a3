#!/bin/bash
# rooms.sh - the layout rules of DESIGN.md ("Rooms"), checked against the
# sources: which module may include which, and the few jobs that only one
# place may do (create processes, rename files into place, ask git what
# the repository is). aside.c renames too: it puts the user's files and
# links back with their exact mode and mtime, never through a link,
# which atomic_file (made for reports) does not.
. "$(dirname "$0")/lib.sh"

src=${srcdir:-$_lib_dir/../..}/src
test -d "$src" || skip_all "no sources at $src"

# room MODULE: the room a module (file name without .c/.h) belongs to.
room() {
	case $1 in
	util|buf|escape|log|heap|hashmap|atomic_file|output|shellcmd|gitnames|filetype) echo base ;;
	conf) echo config ;;
	finding|finding_read|finding_id|baseline|sarif_read) echo findings ;;
	plan|result|conflicts) echo model ;;
	files|gitdir|gitrange|aside|fingerprint|content_id) echo workspace ;;
	history|store|cache_key) echo memory ;;
	proc|guardian|orphans|lock) echo process ;;
	queue|pool|strategy|shard) echo scheduler ;;
	exec|launch|batch_plan|file_tags) echo exec ;;
	report|writer|report_*) echo report ;;
	cli|plan_print|session|signals|githook|install|rerun|run_cache|history_print|shard_plan) echo app ;;
	pyregex|yaml_doc|migrate|migrate_*) echo migrate ;;
	merge) echo merge ;;
	main) echo front ;;
	*) echo unknown ;;
	esac
}

# allowed FROM TO: may a module of room FROM include one of room TO?
allowed() {
	test "$1" = "$2" && return 0
	case $1:$2 in
	*:base) return 0 ;;
	findings:*) return 1 ;;
	config:findings) return 0 ;;
	config:*) return 1 ;;
	model:config|model:findings) return 0 ;;
	workspace:process) return 0 ;;
	memory:workspace|memory:process) return 0 ;;
	scheduler:model|scheduler:findings) return 0 ;;
	exec:process|exec:model|exec:config|exec:workspace|exec:findings) return 0 ;;
	report:model|report:config|report:findings) return 0 ;;
	app:*) return 0 ;;
	front:app|front:config|front:model|front:process|front:migrate|front:merge) return 0 ;;
	esac
	return 1
}

bad=0
for f in "$src"/*.[ch]; do
	m=$(basename "$f"); m=${m%.[ch]}
	r=$(room "$m")
	if test "$r" = unknown; then
		fail "rooms: $m.* has a room in DESIGN.md"
		bad=$((bad + 1))
		continue
	fi
	for inc in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
		test "$inc" = config && continue
		ir=$(room "$inc")
		if ! allowed "$r" "$ir"; then
			fail "rooms: $(basename "$f") ($r) includes $inc.h ($ir)"
			bad=$((bad + 1))
		fi
	done
done
check "rooms: every include goes where the rooms allow" test "$bad" -eq 0

# only FILES... may match RE (grep -E) among the sources.
only() {
	local what=$1 re=$2; shift 2
	local found
	found=$(cd "$src" && grep -l -E "$re" ./*.c | sed 's,^\./,,' | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	check "rooms: only $want$what (found: ${found:-none})" \
		test "$found" = "$want"
}
only "create and reap processes" \
	'posix_spawnp?\(|[^_a-z]fork\(|waitpid\(|waitid\(' \
	proc.c guardian.c orphans.c
only "renames a file into place" '[^_a-z]rename(at)?\(' atomic_file.c aside.c
only "asks git what the repository is" '"rev-parse"' gitdir.c
check "rooms: the scheduler never includes exec or report" \
	sh -c "! grep -E '#include \"(exec|launch|report|writer)\\.h\"' '$src'/queue.c '$src'/pool.c '$src'/strategy.[ch]"
check "rooms: the report writers never include the scheduler" \
	sh -c "! grep -E '#include \"(strategy|queue|pool)\\.h\"' '$src'/report*.[ch] '$src'/writer.h"

finish
