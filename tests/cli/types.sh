#!/bin/bash
# types.sh - black-box tests of the keys that choose a hook's files
# beyond its globs (hookwave.ini(5)): types and exclude_types (by
# extension, special name, #! line of executable files, content),
# files_regex and exclude_regex, pass_files, always_run; SKIP next to
# HOOKWAVE_SKIP; and the hint that a YAML config wants hookwave migrate.
#
# Hooks log to $LOGDIR/HOOK: a line "--" per process, then one line per
# argument. Synchronisation is on those files, never on sleeps.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v git >/dev/null 2>&1 || skip_all "no git"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

export LC_ALL=C
unset SKIP HOOKWAVE_SKIP
isolate_git

hw() {
	timeout -k 5 120 "$HOOKWAVE" --no-cache "$@"
}

bin=$tmp/bin
conf=$tmp/conf
mkdir "$bin" "$conf" || exit 1
cat >"$bin/logargs" <<'EOF'
#!/bin/sh
{ echo --; for a in "$@"; do printf '%s\n' "$a"; done; } >>"$LOGDIR/$HOOKWAVE_HOOK"
EOF
chmod +x "$bin/logargs"

newlog() {
	LOGDIR=$(mktemp -d "$tmp/log.XXXXXX") || exit 1
	export LOGDIR
}

# args HOOK: the files HOOK got, sorted, space-separated.
args() {
	test -f "$LOGDIR/$1" || return 0
	grep -v '^--$' "$LOGDIR/$1" | sort | tr '\n' ' ' | sed 's/ $//'
}

# runs HOOK: how many processes HOOK started.
runs() {
	if test -f "$LOGDIR/$1"; then grep -c '^--$' "$LOGDIR/$1"; else echo 0; fi
}

# expect_args HOOK WANT: HOOK got exactly WANT (sorted, space-separated).
expect_args() {
	_got=$(args "$1")
	if test "$_got" = "$2"; then
		_ok "$1 got: ${2:-nothing}"
	else
		fail "$1 got: ${2:-nothing}" "it got: ${_got:-nothing}"
	fi
}

expect_runs() {
	_got=$(runs "$1")
	if test "$_got" = "$2"; then
		_ok "$1 ran $2 time(s)"
	else
		fail "$1 ran $2 time(s)" "it ran $_got"
	fi
}

# A tree with files of each kind.
repo=$tmp/repo
mkdir -p "$repo"/bin "$repo"/stubs "$repo"/inc "$repo"/src "$repo"/tests \
	"$repo"/scripts || exit 1
cd "$repo" || exit 1
git init -q
printf '#!/usr/bin/env python3\nprint(1)\n' >bin/tool
printf '#!/bin/sh\necho run\n' >bin/run
printf '#!/usr/bin/env -S bash -e\necho x\n' >bin/envs
chmod +x bin/tool bin/run bin/envs
printf '#!/usr/bin/env python3\nprint(2)\n' >scripts/notexec
printf 'x = 1\n' >a.py
printf 'x: int\n' >stubs/m.pyi
printf 'int x;\n' >inc/a.h
printf 'int main(void) { return 0; }\n' >src/main.c
printf 'all:\n\ttrue\n' >Makefile
printf '\000\001\002\003' >data.bin
printf '# T\n' >README.md
printf 'def test(): pass\n' >tests/t_a.py
ln -s a.py link.py
git add -A && git -c user.name=t -c user.email=t@t commit -qm x || exit 1

cat >"$conf/types.ini" <<EOF
[hook py]
command = $bin/logargs
types = python
[hook pyi]
command = $bin/logargs
types = pyi
[hook shell]
command = $bin/logargs
types = shell
[hook bash]
command = $bin/logargs
types = bash
[hook header]
command = $bin/logargs
types = header
[hook c]
command = $bin/logargs
types = c
[hook make]
command = $bin/logargs
types = makefile
[hook binary]
command = $bin/logargs
types = binary
[hook plain]
command = $bin/logargs
types = text+non-executable
exclude_types = python markdown
[hook sym]
command = $bin/logargs
types = symlink
[hook alts]
command = $bin/logargs
types = pyi makefile+text
[hook rx]
command = $bin/logargs
files_regex = ^(bin|src)/
exclude_regex = /(run|envs)\$
[hook all3]
command = $bin/logargs
files = *.py
types = python
exclude = tests/**
[hook notype]
command = $bin/logargs
files = *.py
EOF

newlog
run hw -c "$conf/types.ini" -j 1
expect_exit "types: exit 0" 0
expect_args py "a.py bin/tool tests/t_a.py"
expect_args pyi "stubs/m.pyi"
expect_args shell "bin/envs bin/run"
expect_args bash "bin/envs"
expect_args header "inc/a.h"
expect_args c "inc/a.h src/main.c"
expect_args make "Makefile"
expect_args binary "data.bin"
expect_args plain "Makefile inc/a.h scripts/notexec src/main.c stubs/m.pyi"
expect_args sym "link.py"
expect_args alts "Makefile stubs/m.pyi"
expect_args rx "bin/tool src/main.c"
expect_args all3 "a.py"
# Globs alone are as before: the symlink too.
expect_args notype "a.py link.py tests/t_a.py"

# A hook with cwd: its files relative to it; files_regex still sees the
# path from the run directory.
cat >"$conf/cwd.ini" <<EOF
[hook cwd-c]
command = $bin/logargs
cwd = inc
types = c
[hook cwd-rx]
command = $bin/logargs
cwd = bin
files_regex = ^bin/t
EOF
newlog
run hw -c "$conf/cwd.ini"
expect_exit "cwd: exit 0" 0
expect_args cwd-c "a.h"
expect_args cwd-rx "tool"

# pass_files and always_run.
cat >"$conf/once.ini" <<EOF
[hook once]
command = $bin/logargs
types = python
pass_files = no
[hook once-none]
command = $bin/logargs
types = rust
pass_files = no
[hook always]
command = $bin/logargs
types = rust
always_run = yes
[hook always-once]
command = $bin/logargs
files = *.rs
pass_files = no
always_run = yes
[hook always-some]
command = $bin/logargs
files_regex = \\.h\$
always_run = yes
[hook none]
command = $bin/logargs
types = rust
[hook nofiles]
command = $bin/logargs
EOF
newlog
run hw -c "$conf/once.ini" -j 2
expect_exit "pass_files/always_run: exit 0" 0
expect_runs once 1
expect_args once ""
expect_runs once-none 0
expect_stdout_match "pass_files = no, nothing matched: skipped, no files" \
	'^skipped +default/once-none .*no files'
expect_runs always 1
expect_args always ""
expect_runs always-once 1
expect_args always-once ""
expect_runs always-some 1
expect_args always-some "inc/a.h"
expect_runs none 0
expect_runs nofiles 1
expect_args nofiles ""
run hw -c "$conf/once.ini" -n
expect_stdout_match "-n: pass_files = no says so" \
	'once .*: 3 files, run once without them'
expect_stdout_match "-n: always_run without files says so" \
	'always .*: no files, always_run'

# SKIP, HOOKWAVE_SKIP, and both: the union.
newlog
SKIP=py,pyi run hw -c "$conf/types.ini" -j 1
expect_exit "SKIP: exit 0" 0
expect_runs py 0
expect_runs pyi 0
expect_runs header 1
newlog
SKIP=py HOOKWAVE_SKIP=c,make run hw -c "$conf/types.ini" -j 1
expect_exit "SKIP + HOOKWAVE_SKIP: exit 0" 0
expect_runs py 0
expect_runs c 0
expect_runs make 0
expect_runs pyi 1
newlog
SKIP=no-such-hook run hw -c "$conf/types.ini" -j 1
expect_exit "SKIP naming no hook: ignored, exit 0" 0
expect_runs py 1

# A pre-commit or lefthook config: a config error that names migrate.
printf 'repos:\n-   repo: local\n    hooks: []\n' >"$tmp/.pre-commit-config.yaml"
run hw -c "$tmp/.pre-commit-config.yaml"
expect_exit "-c .pre-commit-config.yaml: exit 2" 2
expect_stderr_line "-c .pre-commit-config.yaml: one line" \
	"^hookwave: .*\\.pre-commit-config\\.yaml: this is a pre-commit config, not hookwave's INI: convert it with 'hookwave migrate .*\\.pre-commit-config\\.yaml'\$"
printf 'pre-commit:\n  commands:\n    a:\n      run: x\n' >"$tmp/lefthook.yml"
run hw -c "$tmp/lefthook.yml" --check-config
expect_exit "-c lefthook.yml: exit 2" 2
expect_stderr_has "-c lefthook.yml: suggests migrate" "this is a lefthook config, not hookwave's INI: convert it with 'hookwave migrate "
cp "$tmp/lefthook.yml" "$tmp/hooks.conf"
run hw -c "$tmp/hooks.conf"
expect_exit "YAML by content: exit 2" 2
expect_stderr_line "YAML by content: at its first line" \
	"^hookwave: .*hooks\\.conf:1: this is a lefthook config.*'hookwave migrate "

# A regex that does not compile: exit 2 at its line, nothing ran.
printf '[hook a]\ncommand = %s\n\nfiles_regex = (a\n' "$bin/logargs" \
	>"$conf/bad.ini"
newlog
run hw -c "$conf/bad.ini"
expect_exit "bad files_regex: exit 2" 2
expect_stderr_line "bad files_regex: at its line, naming the key" \
	"^hookwave: .*bad\\.ini:4: bad value for 'files_regex': "
expect_runs a 0

finish
