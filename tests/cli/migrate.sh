#!/bin/bash
# migrate.sh - black-box tests of `hookwave migrate` (hookwave(1),
# MIGRATING): real-world-style pre-commit and lefthook configs converted
# byte for byte as the golden files say; the converted configs accepted
# by --check-config and run on a repository made here, where each hook
# must get exactly the files pre-commit's or lefthook's rules give it;
# exit statuses; -o never over a file; the default file found; broken
# YAML, anchors and a 10,000-hook file.
#
# Every hookwave run is bounded by timeout(1); no check asserts how fast
# anything is.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v git >/dev/null 2>&1 || skip_all "no git"

export LC_ALL=C
unset NO_COLOR SKIP HOOKWAVE_SKIP
isolate_git

data=${srcdir:-$_lib_dir/../..}/tests/data/migrate
data=$(cd "$data" && pwd)

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# ---- the golden conversions -------------------------------------------

for pair in pip.pre-commit-config.yaml:.pre-commit-config.yaml \
	    web.lefthook.yml:lefthook.yml; do
	src=${pair%%:*} as=${pair#*:}
	d=$tmp/golden-$as
	mkdir -p "$d"
	cp "$data/$src" "$d/$as"
	hw migrate -C "$d"
	cp "$tmp/out" "$d/got.ini"
	check "golden: $src converts as ${src%.*}.ini says" \
		cmp "$data/${src%.*}.ini" "$d/got.ini"
done

d=$tmp/golden-.pre-commit-config.yaml
hw migrate -C "$d"
expect_exit "pre-commit: some hooks commented out: exit 1" 1
expect_stderr_line "pre-commit: the count on stderr" \
	'^hookwave: migrate: \.pre-commit-config\.yaml: 12 hooks converted, 4 left commented out'
hw migrate -C "$d" -o hookwave.ini
expect_exit "-o: exit 1 as well" 1
check "-o: the file is what stdout would have been" \
	cmp "$d/got.ini" "$d/hookwave.ini"
hw -C "$d" --check-config
expect_exit "pre-commit: the converted config passes --check-config" 0

d=$tmp/golden-lefthook.yml
hw migrate -C "$d" -o hookwave.ini
expect_exit "lefthook: every command converted: exit 0" 0
hw -C "$d" --check-config
expect_exit "lefthook: the converted config passes --check-config" 0

# ---- -o, the default file, bad input ----------------------------------

d=$tmp/out-exists
mkdir -p "$d"
cp "$data/web.lefthook.yml" "$d/lefthook.yml"
printf 'mine\n' >"$d/hookwave.ini"
hw migrate -C "$d" -o hookwave.ini
expect_exit "-o onto an existing file: exit 2" 2
expect_stderr_has "-o onto an existing file: says so" "hookwave.ini: exists"
check "-o onto an existing file: the file untouched" \
	test "$(cat "$d/hookwave.ini")" = mine
ln -s nowhere "$d/dangling"
hw migrate -C "$d" -o dangling
expect_exit "-o onto a dangling link: exit 2 (never through it)" 2
check "-o onto a dangling link: nothing made" test ! -e "$d/nowhere"

hw migrate -C "$d"
expect_exit "-C DIR: finds lefthook.yml there" 0
expect_stdout_match "-C DIR: the converted config" '^\[strategy pre-commit\]$'
cp "$data/pip.pre-commit-config.yaml" "$d/.pre-commit-config.yaml"
hw migrate -C "$d"
expect_exit "both tools' files: exit 2" 2
expect_stderr_has "both tools' files: name one" "name the one to migrate"
hw migrate -C "$tmp/home"
expect_exit "no file here: exit 2" 2
hw migrate "$tmp/none.yaml"
expect_exit "a missing file: exit 2" 2
expect_stderr_has "a missing file: named" "none.yaml: cannot read"

printf 'repos:\n- repo: local\n  hooks: [\n' >"$tmp/broken.yaml"
hw migrate "$tmp/broken.yaml"
expect_exit "broken YAML: exit 2" 2
expect_stderr_line "broken YAML: file and line" "broken\\.yaml:4: not YAML"
hw migrate -o "$tmp/broken.ini" "$tmp/broken.yaml"
check "broken YAML: -o file not made" test ! -e "$tmp/broken.ini"
printf 'a: 1\n' >"$tmp/other.yaml"
hw migrate "$tmp/other.yaml"
expect_exit "not a config of either tool: exit 2" 2
printf '\0\1\2' >"$tmp/.pre-commit-config.yaml"
hw migrate "$tmp/.pre-commit-config.yaml"
expect_exit "binary bytes: exit 2" 2
hw migrate a b
expect_exit "two files: exit 2" 2
hw migrate --bogus
expect_exit "an unknown option: exit 2" 2

# 10,000 hooks, anchors and merge keys: converted, every one.
{
	printf 'x-sys: &sys\n  language: system\n  types: [python]\nrepos:\n- repo: local\n  hooks:\n'
	i=0
	while test $i -lt 10000; do
		printf '  - <<: *sys\n    id: h%d\n    entry: check-%d\n' $i $i
		i=$((i + 1))
	done
} >"$tmp/big.yaml"
mv "$tmp/big.yaml" "$tmp/home/.pre-commit-config.yaml"
hw migrate "$tmp/home/.pre-commit-config.yaml"
expect_exit "10,000 hooks through a merge key: exit 0" 0
check "10,000 hooks: 10,000 sections, each with the merged types" \
	test "$(grep -c '^\[hook h[0-9]*\]$' "$tmp/out")/$(grep -c '^types = python$' "$tmp/out")" = 10000/10000
rm "$tmp/home/.pre-commit-config.yaml"

# ---- the converted configs run with the original tools' files ---------

rec=$tmp/rec
cat >"$rec" <<EOF
#!/bin/sh
name=\$1; shift
mkdir -p "$tmp/got"
if test \$# -eq 0; then echo '(none)' >>"$tmp/got/\$name"; fi
for f; do printf '%s\n' "\$f" >>"$tmp/got/\$name"; done
EOF
chmod +x "$rec"

# got NAME WANT...: the files hook NAME got, sorted, are WANT.
got() {
	local name=$1 have want
	shift
	have=$(sort "$tmp/got/$name" 2>/dev/null | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	test $# -eq 0 && want=
	if test "$have" = "$want"; then
		_ok "files of $name: ${want:-none}"
	else
		fail "files of $name" "want: $want" "have: $have"
	fi
}

repo=$tmp/pc
mkdir -p "$repo"
cd "$repo" || exit 1
git init -q .
mkdir -p pkg bin scripts vendor docs src
echo 'x = 1' >a.py
echo 'y = 2' >pkg/b.py
echo 'def f() -> int: ...' >pkg/c.pyi
printf '#!/usr/bin/env python3\nprint(1)\n' >bin/tool
printf '#!/bin/sh\necho run\n' >scripts/run
printf '#!/bin/sh\necho no\n' >scripts/notexec
printf 'echo sh\n' >scripts/x.sh
echo 'v = 0' >vendor/v.py
echo '# doc' >docs/d.md
echo 'e = 1' >docs/e.py
echo 'int main(void) { return 0; }' >src/m.c
echo 'int f(void);' >src/m.h
echo '{}' >data.json
echo 'a: 1' >conf.yaml
printf '\0\1\2\3' >img.bin
printf 'all:\n\ttrue\n' >Makefile
chmod +x bin/tool scripts/run
cat >.pre-commit-config.yaml <<EOF
exclude: ^vendor/
repos:
- repo: local
  hooks:
  - {id: py, entry: $rec py, language: system, types: [python]}
  - id: pyish
    entry: $rec pyish
    language: system
    types_or: [python, pyi]
    exclude: ^docs/
  - {id: shell, entry: $rec shell, language: system, types: [shell]}
  - id: cfiles
    entry: $rec cfiles
    language: system
    files: \\.(c|h)$
  - {id: header, entry: $rec header, language: system, types: [header]}
  - id: textnotpy
    entry: $rec textnotpy
    language: system
    files: ^(src|scripts|pkg)/
    types: [text]
    exclude_types: [python, markdown]
  - id: once
    entry: $rec once
    language: system
    pass_filenames: false
    files: \\.json$
  - id: always
    entry: $rec always
    language: system
    always_run: true
    pass_filenames: false
    files: \\.nothing$
  - id: never
    entry: $rec never
    language: system
    files: \\.nothing$
  - id: verbose
    entry: $rec verbose
    language: system
    files: |
      (?x)^(
        src/m\\.c|     # the source
        data\\.json
      )$
EOF
git add -A
git commit -qm files
hw migrate -o hookwave.ini
expect_exit "pre-commit: local hooks all converted" 0
hw --all-files -q
expect_exit "pre-commit: the converted config runs" 0
got py a.py pkg/b.py bin/tool docs/e.py
got pyish a.py pkg/b.py pkg/c.pyi bin/tool
got shell scripts/run scripts/x.sh
got cfiles src/m.c src/m.h
got header src/m.h
got textnotpy pkg/c.pyi scripts/run scripts/notexec scripts/x.sh src/m.c src/m.h
got once '(none)'
got always '(none)'
got never
got verbose src/m.c data.json

repo=$tmp/lh
rm -rf "$tmp/got"
mkdir -p "$repo"
cd "$repo" || exit 1
git init -q .
mkdir -p web lib
for f in web/a.js web/b.ts lib/c.js README.md package.json package-lock.json x.py; do
	echo "$f" >"$f"
done
cat >lefthook.yml <<EOF
pre-commit:
  parallel: true
  commands:
    js:
      glob: "*.{js,ts}"
      run: $rec js {staged_files}
    mid:
      glob: "*.md"
      run: $rec mid {staged_files} && echo after
    nofiles:
      run: $rec nofiles
    sub:
      root: web/
      glob: "*.js"
      run: $rec sub {staged_files}
    excl:
      glob: "*.json"
      exclude: ["package-lock.json"]
      run: $rec excl {staged_files}
    noglob:
      glob: "*.none"
      run: $rec noglob
commit-msg:
  commands:
    msg:
      run: $rec msg {1}
EOF
hw migrate -o hookwave.ini
expect_exit "lefthook: every command converted" 0
git add web lib README.md package.json package-lock.json x.py
hw --git-hook=pre-commit -q
expect_exit "lefthook: the converted pre-commit strategy runs" 0
got js web/a.js web/b.ts lib/c.js
got mid README.md
got nofiles '(none)'
got sub a.js
got excl package.json
got noglob
echo 'feat: x' >"$tmp/COMMIT_MSG"
hw --git-hook=commit-msg "$tmp/COMMIT_MSG"
expect_exit "lefthook: the commit-msg strategy runs" 0
got msg "$tmp/COMMIT_MSG"

finish
