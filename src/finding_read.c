/*
 * finding_read.c - a tool's diagnostics read out of its output, line by
 * line: the gcc form by hand, vim's errorformat patterns compiled into a
 * small program for a Pike VM (Thompson's simulation with captures), so
 * that a line costs at most its length times its pattern's size, whatever
 * bytes the tool prints, and the captures are those a backtracking
 * matcher trying the shortest file and message first would find.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_read.h"
#include "util.h"

/* A pattern's longest text: bounds a reader's matching memory. */
#define PATTERN_MAX 1024

/* --- errorformat: compiled patterns -------------------------------------- */

enum op {
	OP_BYTE,        /* this byte */
	OP_ANY,         /* any byte */
	OP_DIGIT,       /* 0-9 */
	OP_TYPE,        /* one of e w n i, either case */
	OP_SPLIT,       /* go on at x, and at y after it (x is preferred) */
	OP_JMP,         /* go on at x */
	OP_SAVE,        /* capture slot x = here */
	OP_MATCH        /* the whole line matched */
};

/* What a pattern captures; each conversion once, slots 2k and 2k+1. */
enum conv { C_FILE, C_LINE, C_COL, C_TYPE, C_MSG, C_RULE, NCONV };
#define NSLOT (2 * NCONV)
#define UNSET UINT32_MAX

struct inst {
	unsigned char op;
	unsigned char c;        /* OP_BYTE */
	uint32_t x, y;          /* OP_SPLIT, OP_JMP, OP_SAVE */
};

struct pattern {
	int ignore;             /* %-G: a matching line is no finding */
	struct inst *prog;
	size_t n, alloc;
};

struct finding_format {
	int gcc;                /* the built-in gcc form; no patterns */
	struct pattern *pat;
	size_t npat;
	size_t maxprog;         /* the longest program: a reader's VM size */
};

static struct finding_format gcc_format = { 1, NULL, 0, 0 };

struct finding_format *
finding_format_gcc(void)
{
	return &gcc_format;
}

static uint32_t
emit(struct pattern *p, enum op op, unsigned char c, uint32_t x, uint32_t y)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 16;
		p->prog = xreallocarray(p->prog, p->alloc, sizeof(*p->prog));
	}
	p->prog[p->n].op = (unsigned char)op;
	p->prog[p->n].c = c;
	p->prog[p->n].x = x;
	p->prog[p->n].y = y;
	return (uint32_t)p->n++;
}

/* One or more bytes, fewest first (%f). */
static void
emit_lazy_plus(struct pattern *p)
{
	uint32_t l = emit(p, OP_ANY, 0, 0, 0);

	emit(p, OP_SPLIT, 0, l + 2, l);
}

/* Any bytes, none first (%m, %.%#). */
static void
emit_lazy_star(struct pattern *p)
{
	uint32_t l = emit(p, OP_SPLIT, 0, 0, 0);

	emit(p, OP_ANY, 0, 0, 0);
	emit(p, OP_JMP, 0, l, 0);
	p->prog[l].x = l + 3;
	p->prog[l].y = l + 1;
}

/* One or more digits, most first (%l, %c, %n). */
static void
emit_digits(struct pattern *p)
{
	uint32_t l = emit(p, OP_DIGIT, 0, 0, 0);

	emit(p, OP_SPLIT, 0, l, l + 2);
}

static void
pattern_release(struct pattern *p)
{
	free(p->prog);
}

void
finding_format_free(struct finding_format *f)
{
	size_t i;

	if (f == NULL || f->gcc)
		return;
	for (i = 0; i < f->npat; i++)
		pattern_release(&f->pat[i]);
	free(f->pat);
	free(f);
}

/* A conversion's letter for a message: printable, or \xNN. */
static const char *
conv_name(unsigned char c, char *buf, size_t size)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, size, "%%%c", c);
	else
		snprintf(buf, size, "%%\\x%02x", c);
	return buf;
}

/* Why the conversion at s (after its '%') is refused. */
static void
refuse_conversion(const char *s, size_t num, char *why, size_t whysz)
{
	char nb[16], letter[8];
	unsigned char c = (unsigned char)s[0];
	int flag = (c == '-' || c == '+') && s[1] != '\0' && s[1] != ',';
	unsigned char l = flag ? (unsigned char)s[1] : c;

	conv_name(l, letter, sizeof(letter));
	if (flag)
		snprintf(nb, sizeof(nb), "%%%c%s", c, letter + 1);
	else
		snprintf(nb, sizeof(nb), "%s", letter);
	if (c == '.')
		snprintf(why, whysz,
			 "pattern %zu: %%. is supported only as %%.%%# (any text)",
			 num);
	else if (c == '+' || (l != '\0' && strchr("EWINACZ>OPQDX", l) != NULL))
		snprintf(why, whysz,
			 "pattern %zu: %s is one of vim's multi-line forms, which are not supported",
			 num, nb);
	else if (l == 'G')
		snprintf(why, whysz,
			 "pattern %zu: %s is supported only as %%-G at the start of a pattern",
			 num, nb);
	else
		snprintf(why, whysz, "pattern %zu: unknown conversion %s", num,
			 nb);
}

/*
 * Compile one pattern of the list, from *sp up to an unescaped comma or
 * the end, into p; *sp is left after the comma. Returns 0, or -1 with
 * why filled in (`num` is the pattern's number for it).
 */
static int
compile_pattern(const char **sp, size_t num, struct pattern *p, char *why,
		size_t whysz)
{
	const char *s = *sp, *start;
	unsigned seen = 0;
	static const char convs[] = "flctmn";
	static const enum conv conv_of[] = {
		C_FILE, C_LINE, C_COL, C_TYPE, C_MSG, C_RULE
	};

	/* Blanks after a comma are skipped, as vim does: a value joined
	   from continuation lines has one there. */
	while (*s == ' ' || *s == '\t')
		s++;
	start = s;
	if (s[0] == '%' && s[1] == '-' && s[2] == 'G') {
		p->ignore = 1;
		s += 3;
	}
	while (*s != '\0' && *s != ',') {
		const char *k;

		if ((size_t)(s - start) >= PATTERN_MAX)
			break;  /* too long: no more work on it */
		if (*s == '\\') {
			if (s[1] == '\0') {
				snprintf(why, whysz,
					 "pattern %zu ends in a lone \\", num);
				return -1;
			}
			emit(p, OP_BYTE, (unsigned char)s[1], 0, 0);
			s += 2;
			continue;
		}
		if (*s != '%') {
			emit(p, OP_BYTE, (unsigned char)*s++, 0, 0);
			continue;
		}
		s++;
		if (*s == '\0') {
			snprintf(why, whysz, "pattern %zu ends in a lone %%", num);
			return -1;
		}
		if (*s == '%') {
			emit(p, OP_BYTE, '%', 0, 0);
			s++;
			continue;
		}
		if (s[0] == '.' && s[1] == '%' && s[2] == '#') {
			emit_lazy_star(p);
			s += 3;
			continue;
		}
		k = strchr(convs, *s);
		if (k != NULL) {
			enum conv cv = conv_of[k - convs];

			if (seen & 1u << cv) {
				snprintf(why, whysz, "pattern %zu has %%%c twice",
					 num, *s);
				return -1;
			}
			seen |= 1u << cv;
			emit(p, OP_SAVE, 0, 2 * cv, 0);
			switch (cv) {
			case C_FILE:
				emit_lazy_plus(p);
				break;
			case C_MSG:
				emit_lazy_star(p);
				break;
			case C_TYPE:
				emit(p, OP_TYPE, 0, 0, 0);
				break;
			default:
				emit_digits(p);
				break;
			}
			emit(p, OP_SAVE, 0, 2 * cv + 1, 0);
			s++;
			continue;
		}
		refuse_conversion(s, num, why, whysz);
		return -1;
	}
	if (s == start) {
		snprintf(why, whysz, "pattern %zu is empty", num);
		return -1;
	}
	if ((size_t)(s - start) > PATTERN_MAX ||
	    (*s != '\0' && *s != ',')) {
		snprintf(why, whysz, "pattern %zu is longer than %d bytes", num,
			 PATTERN_MAX);
		return -1;
	}
	if (!p->ignore && !(seen & 1u << C_FILE)) {
		snprintf(why, whysz,
			 "pattern %zu has no %%f (a finding needs a file)", num);
		return -1;
	}
	emit(p, OP_MATCH, 0, 0, 0);
	if (*s == ',') {
		s++;
		if (*s == '\0') {
			snprintf(why, whysz, "pattern %zu is empty", num + 1);
			return -1;
		}
	}
	*sp = s;
	return 0;
}

struct finding_format *
finding_format_errorformat(const char *value, char *why, size_t whysz)
{
	struct finding_format *f;
	const char *s = value;
	size_t alloc = 0;

	if (whysz > 0)
		why[0] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		snprintf(why, whysz, "errorformat is empty");
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	while (*s != '\0') {
		struct pattern *p;

		if (f->npat == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			f->pat = xreallocarray(f->pat, alloc, sizeof(*f->pat));
		}
		p = &f->pat[f->npat++];
		memset(p, 0, sizeof(*p));
		if (compile_pattern(&s, f->npat, p, why, whysz) == -1) {
			finding_format_free(f);
			return NULL;
		}
		if (p->n > f->maxprog)
			f->maxprog = p->n;
	}
	return f;
}

/* --- the Pike VM ---------------------------------------------------------- */

struct thread {
	uint32_t pc;
	uint32_t cap[NSLOT];
};

/* A stack entry of the closure walk: go on at pc, or (restore) put slot
   back to val once everything after a SAVE has been seen. */
struct walk {
	uint32_t pc;            /* UNSET: a restore */
	uint32_t slot, val;
};

struct vm {
	size_t size;            /* program length it is sized for */
	struct thread *cl, *nl;
	unsigned long *mark;    /* pc -> generation that added it */
	unsigned long gen;
	struct walk *stack;
};

static void
vm_release(struct vm *m)
{
	free(m->cl);
	free(m->nl);
	free(m->mark);
	free(m->stack);
	memset(m, 0, sizeof(*m));
}

static void
vm_size(struct vm *m, size_t n)
{
	if (m->size >= n)
		return;
	vm_release(m);
	m->size = n;
	m->cl = xreallocarray(NULL, n, sizeof(*m->cl));
	m->nl = xreallocarray(NULL, n, sizeof(*m->nl));
	m->mark = xcalloc(n, sizeof(*m->mark));
	/* Each pc is entered once per step and pushes at most two. */
	m->stack = xreallocarray(NULL, 2 * n + 2, sizeof(*m->stack));
	m->gen = 0;
}

static void
vm_next_gen(struct vm *m)
{
	if (++m->gen == 0) {
		memset(m->mark, 0, m->size * sizeof(*m->mark));
		m->gen = 1;
	}
}

/*
 * Add to list every consuming instruction (and MATCH) reachable from pc
 * without consuming, in priority order, each with the captures on its
 * way; cap is a working copy, left as it came. An explicit stack: a long
 * pattern's chain of SPLITs cannot overflow a worker's stack.
 */
static void
vm_add(struct vm *m, const struct pattern *p, struct thread *list,
       size_t *nlist, uint32_t pc, uint32_t *cap, uint32_t pos)
{
	size_t sp = 0;

	m->stack[sp++] = (struct walk){ pc, 0, 0 };
	while (sp > 0) {
		struct walk w = m->stack[--sp];
		const struct inst *in;

		if (w.pc == UNSET) {
			cap[w.slot] = w.val;
			continue;
		}
		if (m->mark[w.pc] == m->gen)
			continue;
		m->mark[w.pc] = m->gen;
		in = &p->prog[w.pc];
		switch ((enum op)in->op) {
		case OP_JMP:
			m->stack[sp++] = (struct walk){ in->x, 0, 0 };
			break;
		case OP_SPLIT:
			m->stack[sp++] = (struct walk){ in->y, 0, 0 };
			m->stack[sp++] = (struct walk){ in->x, 0, 0 };
			break;
		case OP_SAVE:
			m->stack[sp++] = (struct walk){ UNSET, in->x, cap[in->x] };
			cap[in->x] = pos;
			m->stack[sp++] = (struct walk){ w.pc + 1, 0, 0 };
			break;
		default:
			list[*nlist].pc = w.pc;
			memcpy(list[*nlist].cap, cap, sizeof(list[*nlist].cap));
			(*nlist)++;
			break;
		}
	}
}

static int
is_type(unsigned char c)
{
	return c != '\0' && strchr("ewniEWNI", c) != NULL;
}

/* Does the whole of s[0..n) match p? On a match cap holds the slots. */
static int
vm_match(struct vm *m, const struct pattern *p, const char *s, size_t n,
	 uint32_t *cap)
{
	uint32_t w[NSLOT];
	size_t ncl = 0, nnl, i, t;
	struct thread *tmp;

	vm_size(m, p->n);
	for (i = 0; i < NSLOT; i++)
		w[i] = UNSET;
	vm_next_gen(m);
	vm_add(m, p, m->cl, &ncl, 0, w, 0);
	for (i = 0; i < n && ncl > 0; i++) {
		unsigned char c = (unsigned char)s[i];

		vm_next_gen(m);
		nnl = 0;
		for (t = 0; t < ncl; t++) {
			const struct inst *in = &p->prog[m->cl[t].pc];
			int ok;

			switch ((enum op)in->op) {
			case OP_BYTE:
				ok = c == in->c;
				break;
			case OP_ANY:
				ok = 1;
				break;
			case OP_DIGIT:
				ok = c >= '0' && c <= '9';
				break;
			case OP_TYPE:
				ok = is_type(c);
				break;
			default:
				ok = 0;
				break;
			}
			if (!ok)
				continue;
			memcpy(w, m->cl[t].cap, sizeof(w));
			vm_add(m, p, m->nl, &nnl, m->cl[t].pc + 1, w,
			       (uint32_t)(i + 1));
		}
		tmp = m->cl;
		m->cl = m->nl;
		m->nl = tmp;
		ncl = nnl;
	}
	if (i < n)
		return 0;
	for (t = 0; t < ncl; t++)
		if (p->prog[m->cl[t].pc].op == OP_MATCH) {
			memcpy(cap, m->cl[t].cap, sizeof(m->cl[t].cap));
			return 1;
		}
	return 0;
}

/* --- reading a line ------------------------------------------------------- */

/* What a line says, pointing into it. */
struct parsed {
	const char *file;
	size_t file_len;
	unsigned long line, col;
	enum finding_level level;
	const char *rule;       /* NULL: none */
	size_t rule_len;
	const char *msg;
	size_t msg_len;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits s[0..n) into *out; -1 when it does not fit. */
static int
digits_value(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Digits from s[*i] on (at least one) into *out, *i after them. */
static int
take_number(const char *s, size_t n, size_t *i, unsigned long *out)
{
	size_t j = *i;

	while (j < n && is_digit(s[j]))
		j++;
	if (j == *i || digits_value(s + *i, j - *i, out) == -1)
		return -1;
	*i = j;
	return 0;
}

/* ASCII case-insensitive: does s[0..n) start with lower-case word w? */
static size_t
starts_with_word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return k;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

/*
 * A trailing rule of s[0..*n), `close` its closing bracket: a blank, the
 * opening bracket, one or more bytes `ok` accepts, the closing one. On
 * a match *n is cut before the blank and the rule is returned.
 */
static int
trailing_rule(const char *s, size_t *n, char open, char close,
	      int (*ok)(char), struct parsed *out)
{
	size_t k = *n, j;

	if (k < 4 || s[k - 1] != close)
		return 0;
	for (j = k - 1; j > 0 && s[j - 1] != open; j--)
		if (!ok(s[j - 1]))
			return 0;
	if (j == 0 || j == k - 1 || j < 2 || !is_blank(s[j - 2]))
		return 0;
	out->rule = s + j;
	out->rule_len = k - 1 - j;
	*n = j - 2;
	return 1;
}

/* In [RULE]: anything but blanks and brackets. */
static int
bracket_rule_char(char c)
{
	return !is_blank(c) && c != '[' && c != ']';
}

/* In yamllint's (rule): a-z, 0-9 and '-'. */
static int
paren_rule_char(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

static const struct {
	const char *word;
	enum finding_level level;
} severities[] = {
	{ "fatal error:", FINDING_ERROR },
	{ "error:", FINDING_ERROR },
	{ "warning:", FINDING_WARNING },
	{ "style:", FINDING_WARNING },
	{ "performance:", FINDING_WARNING },
	{ "portability:", FINDING_WARNING },
	{ "note:", FINDING_NOTE },
	{ "information:", FINDING_NOTE },
	{ "info:", FINDING_NOTE },
	{ "[error]", FINDING_ERROR },
	{ "[warning]", FINDING_WARNING },
};

/* The gcc form: FILE:LINE[:COL]: [SEVERITY] MESSAGE [RULE]. */
static int
parse_gcc(const char *s, size_t n, struct parsed *out)
{
	size_t i, k, body_len;
	const char *body, *rest;
	size_t rest_len;
	int bracketed = 0;

	if (n == 0 || is_blank(s[0]))
		return 0;
	/* The shortest FILE that ":DIGITS" follows. */
	for (i = 1; i + 1 < n; i++)
		if (s[i] == ':' && is_digit(s[i + 1]))
			break;
	if (i + 1 >= n)
		return 0;
	out->file = s;
	out->file_len = i;
	i++;
	if (take_number(s, n, &i, &out->line) == -1)
		return 0;
	if (i >= n || s[i] != ':')
		return 0;
	i++;
	out->col = 0;
	if (i < n && is_digit(s[i])) {
		if (take_number(s, n, &i, &out->col) == -1)
			return 0;
		if (i >= n || s[i] != ':')
			return 0;
		i++;
	}
	if (i >= n || !is_blank(s[i]))
		return 0;
	/* The body keeps its leading blank: a rule needs one before it. */
	body = s + i;
	body_len = n - i;
	rest = body;
	rest_len = body_len;
	trim(&rest, &rest_len);
	out->level = FINDING_ERROR;
	for (k = 0; k < ARRAY_SIZE(severities); k++) {
		size_t w = starts_with_word(rest, rest_len, severities[k].word);

		if (w > 0) {
			out->level = severities[k].level;
			bracketed = severities[k].word[0] == '[';
			body = rest + w;
			body_len = (size_t)(s + n - body);
			break;
		}
	}
	while (body_len > 0 && is_blank(body[body_len - 1]))
		body_len--;
	out->rule = NULL;
	out->rule_len = 0;
	if (!(bracketed && trailing_rule(body, &body_len, '(', ')',
					 paren_rule_char, out)))
		trailing_rule(body, &body_len, '[', ']', bracket_rule_char, out);
	trim(&body, &body_len);
	out->msg = body;
	out->msg_len = body_len;
	return 1;
}

/* The first of f's patterns that matches; 0 for none or a %-G one. */
static int
parse_errorformat(const struct finding_format *f, struct vm *m, const char *s,
		  size_t n, struct parsed *out)
{
	uint32_t cap[NSLOT];
	size_t i;

	for (i = 0; i < f->npat; i++) {
		const struct pattern *p = &f->pat[i];

		if (!vm_match(m, p, s, n, cap))
			continue;
		if (p->ignore)
			return 0;
		out->line = out->col = 0;
		if (cap[2 * C_LINE] != UNSET &&
		    digits_value(s + cap[2 * C_LINE],
				 cap[2 * C_LINE + 1] - cap[2 * C_LINE],
				 &out->line) == -1)
			continue;
		if (cap[2 * C_COL] != UNSET &&
		    digits_value(s + cap[2 * C_COL],
				 cap[2 * C_COL + 1] - cap[2 * C_COL],
				 &out->col) == -1)
			continue;
		out->file = s + cap[2 * C_FILE];
		out->file_len = cap[2 * C_FILE + 1] - cap[2 * C_FILE];
		out->level = FINDING_ERROR;
		if (cap[2 * C_TYPE] != UNSET) {
			switch (s[cap[2 * C_TYPE]] | 0x20) {
			case 'w':
				out->level = FINDING_WARNING;
				break;
			case 'n':
			case 'i':
				out->level = FINDING_NOTE;
				break;
			default:
				break;
			}
		}
		out->rule = NULL;
		out->rule_len = 0;
		if (cap[2 * C_RULE] != UNSET) {
			out->rule = s + cap[2 * C_RULE];
			out->rule_len = cap[2 * C_RULE + 1] - cap[2 * C_RULE];
		}
		out->msg = "";
		out->msg_len = 0;
		if (cap[2 * C_MSG] != UNSET) {
			out->msg = s + cap[2 * C_MSG];
			out->msg_len = cap[2 * C_MSG + 1] - cap[2 * C_MSG];
			trim(&out->msg, &out->msg_len);
		}
		return 1;
	}
	return 0;
}

/*
 * Drop terminal escapes in place: CSI (ESC [, parameter and intermediate
 * bytes, a final byte: colours, erase-line) and OSC (ESC ], up to BEL or
 * ESC \: gcc's links). A CSI cut short is dropped up to where it breaks;
 * an OSC without its end stays. Returns the new length.
 */
static size_t
strip_escapes(char *s, size_t n)
{
	size_t i = 0, o = 0, j, end = 0;

	if (memchr(s, 0x1b, n) == NULL)
		return n;
	while (i < n) {
		if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '[') {
			j = i + 2;
			while (j < n && (unsigned char)s[j] >= 0x20 &&
			       (unsigned char)s[j] <= 0x3f)
				j++;
			if (j < n && (unsigned char)s[j] >= 0x40 &&
			    (unsigned char)s[j] <= 0x7e)
				j++;
			i = j;
			continue;
		}
		if (s[i] == 0x1b && i + 1 < n && s[i + 1] == ']') {
			for (j = i + 2; j < n; j++) {
				if (s[j] == 0x07) {
					end = j + 1;
					break;
				}
				if (s[j] == 0x1b && j + 1 < n && s[j + 1] == '\\') {
					end = j + 2;
					break;
				}
			}
			if (j < n) {
				i = end;
				continue;
			}
		}
		s[o++] = s[i++];
	}
	return o;
}

/* --- the reader ------------------------------------------------------------ */

struct finding_reader {
	const struct finding_format *fmt;
	char *root, *cwd;
	char *line;             /* the line so far (no NUL at its end) */
	size_t len, alloc;
	int overlong;           /* past FINDING_LINE_MAX: dropped until the
				   next newline */
	struct findings found;
	struct vm vm;
};

struct finding_reader *
finding_reader_new(const struct finding_format *f, const char *root,
		   const char *cwd)
{
	struct finding_reader *r = xcalloc(1, sizeof(*r));

	r->fmt = f;
	r->root = xstrdup(root);
	r->cwd = xstrdup(cwd);
	return r;
}

/* One whole line (newline excluded) of at most FINDING_LINE_MAX bytes. */
static void
read_line(struct finding_reader *r, char *s, size_t n)
{
	struct parsed p;
	char *file, *path, *rule, *msg;
	int ok;

	if (n == 0 || memchr(s, '\0', n) != NULL)
		return;
	n = strip_escapes(s, n);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (r->fmt->gcc)
		ok = parse_gcc(s, n, &p);
	else
		ok = parse_errorformat(r->fmt, &r->vm, s, n, &p);
	if (!ok)
		return;
	file = xstrndup(p.file, p.file_len);
	path = finding_path(r->root, r->cwd, file);
	free(file);
	msg = xstrndup(p.msg, p.msg_len);
	rule = p.rule != NULL ? xstrndup(p.rule, p.rule_len) : NULL;
	findings_add(&r->found, path, p.line, p.col, p.level, rule, msg);
	free(path);
	free(msg);
	free(rule);
}

/* Keep n more bytes of the current line, or give it up when too long. */
static void
keep(struct finding_reader *r, const char *buf, size_t n)
{
	if (r->overlong || n == 0)
		return;
	if (n > FINDING_LINE_MAX - r->len) {
		r->overlong = 1;
		r->len = 0;
		return;
	}
	if (r->len + n > r->alloc) {
		size_t a = r->alloc ? r->alloc : 256;

		while (a < r->len + n)
			a *= 2;
		if (a > FINDING_LINE_MAX)
			a = FINDING_LINE_MAX;
		r->line = xrealloc(r->line, a);
		r->alloc = a;
	}
	memcpy(r->line + r->len, buf, n);
	r->len += n;
}

static void
end_line(struct finding_reader *r)
{
	if (!r->overlong)
		read_line(r, r->line, r->len);
	r->len = 0;
	r->overlong = 0;
}

void
finding_reader_feed(struct finding_reader *r, const char *buf, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - buf) : n;

		keep(r, buf, k);
		if (nl == NULL)
			return;
		end_line(r);
		buf += k + 1;
		n -= k + 1;
	}
}

void
finding_reader_finish(struct finding_reader *r, struct findings *out)
{
	if (r->len > 0 || r->overlong)
		end_line(r);
	findings_move(out, &r->found);
}

void
finding_reader_free(struct finding_reader *r)
{
	if (r == NULL)
		return;
	findings_release(&r->found);
	vm_release(&r->vm);
	free(r->line);
	free(r->root);
	free(r->cwd);
	free(r);
}

/* --- paths ------------------------------------------------------------------ */

char *
finding_path(const char *root, const char *cwd, const char *path)
{
	char *joined, *p, *r, *res;
	size_t rl;

	joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
	p = path_normalize(joined);
	r = path_normalize(root);
	free(joined);
	rl = strlen(r);
	if (strcmp(p, r) == 0)
		res = xstrdup(".");
	else if (strcmp(r, "/") == 0 && p[0] == '/')
		res = xstrdup(p + 1);
	else if (strncmp(p, r, rl) == 0 && p[rl] == '/')
		res = xstrdup(p + rl + 1);
	else
		res = NULL;
	free(r);
	if (res == NULL)
		return p;
	free(p);
	return res;
}
