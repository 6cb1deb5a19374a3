/*
 * shellcmd.c - a small reader of POSIX shell syntax: enough of it to
 * say where "$@" appended to a command lands.
 *
 * One pass over the command. Words are read with their quotes and
 * expansions (a $( ) is read as a command list of its own, so a case
 * pattern's ')' inside it does not end it); between words, operators
 * and reserved words move a small state machine: is the next word a
 * command name, an argument, a redirection's target, a for-loop's
 * name, a case pattern? Compound commands nest on a stack of frames.
 * What matters is the state at the end: "$@" is safe only as arguments
 * of a simple command that has its command word.
 *
 * Where the grammar says "syntax error" before the end, the reader
 * stops and gives no opinion (SHELLCMD_SHELL): the shell will say so
 * louder than we could, and a reader that guessed wrong there must not
 * refuse a command the shell accepts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shellcmd.h"
#include "util.h"

#define MAX_DEPTH 64            /* nested $( ), quotes, compound commands */
#define MAX_HEREDOCS 16         /* here-documents pending on one line */
#define MAX_DELIM 64            /* bytes of a here-document's delimiter */

enum stop { GOING, UNSAFE, NO_OPINION };

enum frame_kind { F_BRACE, F_SUBSHELL, F_IF, F_LOOP, F_FOR, F_CASE };

enum frame_state {
	S_BODY,         /* a command list: { }, ( ), then/else/do bodies */
	S_COND,         /* if/elif/while/until condition */
	S_ELSE,         /* if's else part */
	S_FOR_NAME,     /* for: the variable */
	S_FOR_AFTER,    /* for NAME: "in", "do", ";" or a newline */
	S_FOR_WORDS,    /* for NAME in: the words */
	S_FOR_DO,       /* for NAME ...;: "do" */
	S_CASE_WORD,    /* case: the word */
	S_CASE_IN,      /* case WORD: "in" */
	S_CASE_PAT,     /* a pattern, "(" or "esac" */
	S_CASE_PAT_MORE /* after a pattern: "|" or ")" */
};

struct frame {
	enum frame_kind kind;
	enum frame_state state;
};

struct heredoc {
	char delim[MAX_DELIM];
	size_t len;
	int strip_tabs;
};

struct reader {
	const char *s;
	size_t i;
	int depth;
	enum stop stop;
	char *why;                      /* out->why */
	size_t why_size;
	int plain;                      /* nothing but plain words so far */
	size_t words;                   /* words at the top level */
	struct heredoc hd[MAX_HEREDOCS];
	size_t nhd;
};

/* The simple command being read. */
struct cmd {
	int reserved_ok;        /* the next word may be a reserved word */
	int have_cmd;           /* its command word was seen */
	int prefix;             /* assignments or redirections before it */
	int words;              /* command word and arguments */
	int fn_name;            /* the one word so far could name a function */
	int fn_paren;           /* "NAME (" read: ")" must follow */
	int after_compound;     /* a compound command just closed */
	const char *redir;      /* an operator waiting for its target */
	int heredoc;            /* ... and it is << (1) or <<- (2) */
};

struct word {
	size_t start, end;
	int literal;            /* no quote, escape or expansion */
	int assign;             /* NAME= at its start */
};

static int read_list(struct reader *r, int in_subst);
static int scan_dollar(struct reader *r, int in_dquote);

static int
unsafe(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Stop: appending "$@" would misuse the files, because of `fmt`. */
static int
unsafe(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->stop == GOING) {
		r->stop = UNSAFE;
		va_start(ap, fmt);
		vsnprintf(r->why, r->why_size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Stop without an opinion: a syntax error the shell will report. */
static int
no_opinion(struct reader *r)
{
	if (r->stop == GOING)
		r->stop = NO_OPINION;
	return -1;
}

static int
enter(struct reader *r)
{
	if (++r->depth > MAX_DEPTH)
		return unsafe(r, "nests more than %d levels deep to be checked",
			      MAX_DEPTH);
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static int
is_meta(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' ||
	       strchr(";&|()<>", c) != NULL;
}

/* Characters of a plain word: nothing the shell gives a meaning to. */
static int
is_plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c != '\0' && strchr("-_./,:+%@^", c));
}

static int
is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* After an opening ': up to the closing one. */
static int
scan_squote(struct reader *r)
{
	const char *q = strchr(r->s + r->i, '\'');

	if (q == NULL)
		return unsafe(r, "has an unterminated single quote");
	r->i = (size_t)(q - r->s) + 1;
	return 0;
}

/* After an opening `: up to the closing one. */
static int
scan_bquote(struct reader *r)
{
	for (;;) {
		char c = r->s[r->i];

		if (c == '\0')
			return unsafe(r, "has an unterminated backquote");
		if (c == '`') {
			r->i++;
			return 0;
		}
		if (c == '\\' && r->s[r->i + 1] != '\0')
			r->i++;
		r->i++;
	}
}

/* After an opening ": up to the closing one, expansions included. */
static int
scan_dquote(struct reader *r)
{
	if (enter(r) != 0)
		return -1;
	for (;;) {
		char c = r->s[r->i];

		if (c == '\0')
			return unsafe(r, "has an unterminated double quote");
		if (c == '"') {
			r->i++;
			break;
		}
		if (c == '\\' && r->s[r->i + 1] != '\0') {
			r->i += 2;
		} else if (c == '$') {
			if (scan_dollar(r, 1) != 0)
				return -1;
		} else if (c == '`') {
			r->i++;
			if (scan_bquote(r) != 0)
				return -1;
		} else {
			r->i++;
		}
	}
	r->depth--;
	return 0;
}

/*
 * After "${": up to the matching "}". Inside double quotes a ' is an
 * ordinary character there, as dash reads "${x-'}'}".
 */
static int
scan_param(struct reader *r, int in_dquote)
{
	if (enter(r) != 0)
		return -1;
	for (;;) {
		char c = r->s[r->i];
		int rc = 0;

		if (c == '\0')
			return unsafe(r, "has an unterminated '${'");
		if (c == '}') {
			r->i++;
			break;
		}
		if (c == '\\' && r->s[r->i + 1] != '\0') {
			r->i += 2;
			continue;
		}
		r->i++;
		if (c == '\'' && !in_dquote)
			rc = scan_squote(r);
		else if (c == '"')
			rc = scan_dquote(r);
		else if (c == '`')
			rc = scan_bquote(r);
		else if (c == '$') {
			r->i--;
			rc = scan_dollar(r, in_dquote);
		}
		if (rc != 0)
			return -1;
	}
	r->depth--;
	return 0;
}

/* After "$((": up to the "))" that closes it. */
static int
scan_arith(struct reader *r)
{
	int parens = 0;

	if (enter(r) != 0)
		return -1;
	for (;;) {
		char c = r->s[r->i];
		int rc = 0;

		if (c == '\0')
			return unsafe(r, "has an unterminated '$(('");
		r->i++;
		if (c == '(') {
			parens++;
		} else if (c == ')') {
			if (parens > 0) {
				parens--;
			} else {
				if (r->s[r->i] == '\0')
					return unsafe(r, "has an unterminated '$(('");
				if (r->s[r->i] != ')')
					return no_opinion(r);
				r->i++;
				break;
			}
		} else if (c == '\\' && r->s[r->i] != '\0') {
			r->i++;
		} else if (c == '\'') {
			rc = scan_squote(r);
		} else if (c == '"') {
			rc = scan_dquote(r);
		} else if (c == '`') {
			rc = scan_bquote(r);
		} else if (c == '$') {
			r->i--;
			rc = scan_dollar(r, 0);
		}
		if (rc != 0)
			return -1;
	}
	r->depth--;
	return 0;
}

/* At a '$': an expansion, or a plain '$'. */
static int
scan_dollar(struct reader *r, int in_dquote)
{
	const char *p = r->s + r->i;
	int rc;

	if (p[1] == '(' && p[2] == '(') {
		r->i += 3;
		return scan_arith(r);
	}
	if (p[1] == '(') {
		r->i += 2;
		if (enter(r) != 0)
			return -1;
		rc = read_list(r, 1);
		r->depth--;
		return rc;
	}
	if (p[1] == '{') {
		r->i += 2;
		return scan_param(r, in_dquote);
	}
	r->i++;
	return 0;
}

/* One word, up to an unquoted blank, newline or operator. */
static int
read_word(struct reader *r, struct word *w)
{
	const char *s = r->s;
	size_t k;

	memset(w, 0, sizeof(*w));
	w->start = r->i;
	w->literal = 1;
	for (;;) {
		char c = s[r->i];
		int rc = 0;

		if (is_meta(c))
			break;
		if (!is_plain(c))
			r->plain = 0;
		r->i++;
		switch (c) {
		case '\\':
			w->literal = 0;
			if (s[r->i] == '\0')
				return unsafe(r, "ends with a backslash, which would escape the blank before the files");
			r->i++;
			break;
		case '\'':
			w->literal = 0;
			rc = scan_squote(r);
			break;
		case '"':
			w->literal = 0;
			rc = scan_dquote(r);
			break;
		case '`':
			w->literal = 0;
			rc = scan_bquote(r);
			break;
		case '$':
			w->literal = 0;
			r->i--;
			rc = scan_dollar(r, 0);
			break;
		}
		if (rc != 0)
			return -1;
	}
	w->end = r->i;
	for (k = w->start; k < w->end && is_name_char(s[k], k == w->start); k++)
		;
	w->assign = k > w->start && k < w->end && s[k] == '=';
	return 0;
}

static int
word_is(const struct reader *r, const struct word *w, const char *lit)
{
	size_t n = strlen(lit);

	return w->literal && w->end - w->start == n &&
	       memcmp(r->s + w->start, lit, n) == 0;
}

static int
word_digits(const struct reader *r, const struct word *w)
{
	size_t k;

	if (!w->literal || w->end == w->start)
		return 0;
	for (k = w->start; k < w->end; k++)
		if (r->s[k] < '0' || r->s[k] > '9')
			return 0;
	return 1;
}

/* Remember the delimiter of a here-document, quotes removed. */
static int
add_heredoc(struct reader *r, const struct word *w, int strip_tabs)
{
	struct heredoc *h;
	size_t k;

	if (r->nhd == MAX_HEREDOCS)
		return no_opinion(r);
	h = &r->hd[r->nhd];
	h->len = 0;
	h->strip_tabs = strip_tabs;
	for (k = w->start; k < w->end; k++) {
		char c = r->s[k];

		if (c == '\'' || c == '"')
			continue;
		if (c == '\\' && k + 1 < w->end)
			c = r->s[++k];
		if (h->len + 1 >= MAX_DELIM)
			return no_opinion(r);
		h->delim[h->len++] = c;
	}
	h->delim[h->len] = '\0';
	r->nhd++;
	return 0;
}

/* After a newline: skip the bodies of the here-documents it starts. */
static int
read_heredocs(struct reader *r)
{
	size_t j;

	for (j = 0; j < r->nhd; j++) {
		const struct heredoc *h = &r->hd[j];

		for (;;) {
			const char *line = r->s + r->i;
			const char *eol = strchr(line, '\n');
			size_t n = eol != NULL ? (size_t)(eol - line) : strlen(line);

			if (*line == '\0')
				return unsafe(r, "ends inside a here-document, so the files would be its text");
			r->i += n + (eol != NULL);
			if (h->strip_tabs)
				while (n > 0 && *line == '\t') {
					line++;
					n--;
				}
			if (n == h->len && memcmp(line, h->delim, n) == 0) {
				if (eol == NULL)
					return unsafe(r, "ends with a here-document's last line, which the files would join, so that it would not end");
				break;
			}
			if (eol == NULL)
				return unsafe(r, "ends inside a here-document, so the files would be its text");
		}
	}
	r->nhd = 0;
	return 0;
}

static void
cmd_reset(struct cmd *c, int reserved_ok)
{
	memset(c, 0, sizeof(*c));
	c->reserved_ok = reserved_ok;
}

/* Whether anything of a command was read (it may then be ended). */
static int
cmd_started(const struct cmd *c)
{
	return c->have_cmd || c->prefix || c->after_compound;
}

static const char *const reserved_words[] = {
	"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "if", "in", "then", "until", "while"
};

static const char *
reserved(const struct reader *r, const struct word *w)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(reserved_words); k++)
		if (word_is(r, w, reserved_words[k]))
			return reserved_words[k];
	return NULL;
}

/* A reserved word in command position. */
static int
on_reserved(struct reader *r, struct frame *fr, size_t *nf, struct cmd *c,
	    const char *rw, const char **last)
{
	static const struct {
		const char *word;
		enum frame_kind kind;
		enum frame_state state;
	} openers[] = {
		{ "{", F_BRACE, S_BODY }, { "if", F_IF, S_COND },
		{ "while", F_LOOP, S_COND }, { "until", F_LOOP, S_COND },
		{ "for", F_FOR, S_FOR_NAME }, { "case", F_CASE, S_CASE_WORD },
	};
	struct frame *top = *nf > 0 ? &fr[*nf - 1] : NULL;
	size_t k;
	int closes = 0;

	*last = rw;
	for (k = 0; k < ARRAY_SIZE(openers); k++)
		if (strcmp(rw, openers[k].word) == 0)
			break;
	if (k < ARRAY_SIZE(openers) || strcmp(rw, "!") == 0) {
		/* These start a command: nothing of one may come before. */
		if (cmd_started(c))
			return no_opinion(r);
		if (k == ARRAY_SIZE(openers))
			return 0;       /* "!": a command still follows */
		if (*nf == MAX_DEPTH)
			return unsafe(r, "nests more than %d levels deep to be checked",
				      MAX_DEPTH);
		fr[*nf].kind = openers[k].kind;
		fr[*nf].state = openers[k].state;
		(*nf)++;
		cmd_reset(c, openers[k].state == S_BODY ||
			     openers[k].state == S_COND);
		return 0;
	}
	/* The others go on with, or close, the compound command on top,
	   after a separator or right after a compound command. */
	if (top == NULL || (cmd_started(c) && !c->after_compound))
		return no_opinion(r);
	if (strcmp(rw, "then") == 0 && top->kind == F_IF && top->state == S_COND)
		top->state = S_BODY;
	else if (strcmp(rw, "elif") == 0 && top->kind == F_IF &&
		 top->state == S_BODY)
		top->state = S_COND;
	else if (strcmp(rw, "else") == 0 && top->kind == F_IF &&
		 top->state == S_BODY)
		top->state = S_ELSE;
	else if (strcmp(rw, "do") == 0 && top->kind == F_LOOP &&
		 top->state == S_COND)
		top->state = S_BODY;
	else if (strcmp(rw, "fi") == 0 && top->kind == F_IF &&
		 (top->state == S_BODY || top->state == S_ELSE))
		closes = 1;
	else if (strcmp(rw, "done") == 0 &&
		 (top->kind == F_LOOP || top->kind == F_FOR) &&
		 top->state == S_BODY)
		closes = 1;
	else if (strcmp(rw, "}") == 0 && top->kind == F_BRACE)
		closes = 1;
	else if (strcmp(rw, "esac") == 0 && top->kind == F_CASE &&
		 top->state == S_BODY)
		closes = 1;
	else
		return no_opinion(r);
	if (closes) {
		(*nf)--;
		cmd_reset(c, 0);
		c->after_compound = 1;
	} else {
		cmd_reset(c, 1);
	}
	return 0;
}

/*
 * A word where the grammar of a for or case header wants one; 1 when
 * it was taken, 2 when it is the "esac" that closes the case, 0 when
 * the word is an ordinary one, -1 to stop.
 */
static int
on_header_word(struct reader *r, struct frame *top, struct cmd *c,
	       const struct word *w, const char **last)
{
	switch (top->state) {
	case S_FOR_NAME:
		top->state = S_FOR_AFTER;
		*last = "for";
		return 1;
	case S_FOR_AFTER:
	case S_FOR_DO:
		if (top->state == S_FOR_AFTER && word_is(r, w, "in")) {
			top->state = S_FOR_WORDS;
			*last = "in";
			return 1;
		}
		if (!word_is(r, w, "do"))
			return no_opinion(r);
		top->state = S_BODY;
		cmd_reset(c, 1);
		*last = "do";
		return 1;
	case S_FOR_WORDS:
		return 1;
	case S_CASE_WORD:
		top->state = S_CASE_IN;
		*last = "case";
		return 1;
	case S_CASE_IN:
		if (!word_is(r, w, "in"))
			return no_opinion(r);
		top->state = S_CASE_PAT;
		*last = "in";
		return 1;
	case S_CASE_PAT:
		if (word_is(r, w, "esac"))
			return 2;       /* closes the case */
		top->state = S_CASE_PAT_MORE;
		return 1;
	case S_CASE_PAT_MORE:
		return no_opinion(r);
	default:
		return 0;
	}
}

static int
in_header(const struct frame *top)
{
	return top != NULL && top->state >= S_FOR_NAME;
}

/* Read an operator at r->i; returns its text (static). */
static const char *
read_operator(struct reader *r)
{
	static const char *const ops[] = {
		"&&", "||", ";;", "<<-", "<<", "<&", "<>", ">>", ">&", ">|",
		"&", "|", ";", "(", ")", "<", ">"
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ops); k++) {
		size_t n = strlen(ops[k]);

		if (strncmp(r->s + r->i, ops[k], n) == 0) {
			r->i += n;
			return ops[k];
		}
	}
	abort();        /* is_meta() said it is one */
}

/*
 * A command list: the whole command (in_subst 0) or the inside of a
 * $( ) up to its ')' (in_subst 1). At the end of the whole command,
 * judge where "$@" would land.
 */
static int
read_list(struct reader *r, int in_subst)
{
	struct frame fr[MAX_DEPTH];
	size_t nf = 0;
	struct cmd c;
	const char *last = NULL;        /* what last made a command start */
	const char *s = r->s;

	cmd_reset(&c, 1);
	for (;;) {
		char ch = s[r->i];
		struct frame *top = nf > 0 ? &fr[nf - 1] : NULL;
		struct word w;
		const char *op, *rw;
		int rc;

		if (is_blank(ch)) {
			r->i++;
			continue;
		}
		if (ch == '\\' && s[r->i + 1] == '\n') {
			r->plain = 0;
			r->i += 2;
			continue;
		}
		if (ch == '\0')
			break;
		if (ch == '#') {
			/* A comment runs to the end of the line. */
			const char *eol = strchr(s + r->i, '\n');

			r->plain = 0;
			if (eol == NULL) {
				size_t n = strlen(s + r->i);

				if (in_subst)
					return unsafe(r, "has an unterminated '$('");
				return unsafe(r, "ends with a comment, '%.*s%s', which would swallow the files",
					      n > 40 ? 37 : (int)n, s + r->i,
					      n > 40 ? "..." : "");
			}
			r->i = (size_t)(eol - s);
			continue;
		}
		if (ch == '\n' || strchr(";&|()<>", ch) != NULL) {
			r->plain = 0;
			if (ch == '\n') {
				r->i++;
				op = "\n";
			} else {
				op = read_operator(r);
			}
			if (op[0] == '<' || op[0] == '>') {
				if (c.redir != NULL || in_header(top))
					return no_opinion(r);
				c.redir = op;
				c.heredoc = strcmp(op, "<<-") == 0 ? 2 :
					    strcmp(op, "<<") == 0;
				continue;
			}
			if (c.redir != NULL)
				return no_opinion(r);
			if (op[0] == '\n' && r->nhd > 0 && read_heredocs(r) != 0)
				return -1;
			if (in_header(top)) {
				/* The grammar of a for or case header. */
				if (top->state == S_CASE_PAT_MORE && strcmp(op, "|") == 0)
					top->state = S_CASE_PAT;
				else if (top->state == S_CASE_PAT_MORE && strcmp(op, ")") == 0) {
					top->state = S_BODY;
					cmd_reset(&c, 1);
					last = ")";
				} else if (top->state == S_CASE_PAT && strcmp(op, "(") == 0)
					;
				else if ((top->state == S_FOR_AFTER || top->state == S_FOR_WORDS) &&
					 (op[0] == '\n' || strcmp(op, ";") == 0)) {
					top->state = S_FOR_DO;
					last = op[0] == '\n' ? "a newline" : op;
				} else if (op[0] == '\n' &&
					   (top->state == S_FOR_DO || top->state == S_CASE_IN ||
					    top->state == S_CASE_PAT))
					;
				else
					return no_opinion(r);
				continue;
			}
			if (op[0] == '\n') {
				if (cmd_started(&c) || c.fn_paren)
					last = "a newline";
				if (c.fn_paren)
					return no_opinion(r);
				cmd_reset(&c, 1);
				continue;
			}
			if (strcmp(op, "(") == 0) {
				if (c.reserved_ok && !cmd_started(&c)) {
					if (nf == MAX_DEPTH)
						return unsafe(r, "nests more than %d levels deep to be checked",
							      MAX_DEPTH);
					fr[nf].kind = F_SUBSHELL;
					fr[nf].state = S_BODY;
					nf++;
					cmd_reset(&c, 1);
				} else if (c.fn_name && c.words == 1 && !c.prefix) {
					c.fn_paren = 1;
				} else {
					return no_opinion(r);
				}
				last = op;
				continue;
			}
			if (strcmp(op, ")") == 0) {
				if (c.fn_paren) {
					/* NAME ( ): a function's body follows. */
					cmd_reset(&c, 1);
					last = "()";
				} else if (top != NULL && top->kind == F_SUBSHELL) {
					nf--;
					cmd_reset(&c, 0);
					c.after_compound = 1;
					last = op;
				} else if (top == NULL && in_subst) {
					return 0;
				} else {
					return no_opinion(r);
				}
				continue;
			}
			if (strcmp(op, ";;") == 0) {
				if (top == NULL || top->kind != F_CASE ||
				    top->state != S_BODY)
					return no_opinion(r);
				top->state = S_CASE_PAT;
				cmd_reset(&c, 0);
				last = op;
				continue;
			}
			/* && || | ; & end a command that must have begun. */
			if (!cmd_started(&c) || c.fn_paren)
				return no_opinion(r);
			cmd_reset(&c, 1);
			last = op;
			continue;
		}

		if (read_word(r, &w) != 0)
			return -1;
		if (c.redir != NULL) {
			/* A redirection's target; digits before <, > were its fd. */
			if (c.heredoc && add_heredoc(r, &w, c.heredoc == 2) != 0)
				return -1;
			c.redir = NULL;
			c.heredoc = 0;
			if (!c.have_cmd && !c.after_compound) {
				c.prefix++;
				c.reserved_ok = 0;
			}
			continue;
		}
		if ((s[r->i] == '<' || s[r->i] == '>') && word_digits(r, &w))
			continue;       /* an fd number: the operator follows */
		if (top != NULL && (rc = on_header_word(r, top, &c, &w, &last)) != 0) {
			if (rc < 0)
				return -1;
			if (rc == 2) {
				nf--;
				cmd_reset(&c, 0);
				c.after_compound = 1;
				last = "esac";
			}
			continue;
		}
		rw = c.reserved_ok || c.after_compound ? reserved(r, &w) : NULL;
		if (rw != NULL) {
			if (on_reserved(r, fr, &nf, &c, rw, &last) != 0)
				return -1;
			continue;
		}
		if (c.after_compound || c.fn_paren)
			return no_opinion(r);
		if (!c.have_cmd && w.assign) {
			c.prefix++;
			c.reserved_ok = 0;
			last = "an assignment";
			continue;
		}
		if (!in_subst && nf == 0)
			r->words++;
		if (!c.have_cmd) {
			size_t k;

			c.have_cmd = 1;
			c.reserved_ok = 0;
			c.fn_name = w.literal;
			for (k = w.start; k < w.end && c.fn_name; k++)
				c.fn_name = !strchr("=$`'\"\\", s[k]);
		}
		c.words++;
	}

	/* The end of the command: where would "$@" land? */
	if (in_subst)
		return unsafe(r, "has an unterminated '$('");
	if (c.redir != NULL)
		return unsafe(r, "ends with a redirection, '%s', so the first file would be its target",
			      c.redir);
	if (nf > 0 && in_header(&fr[nf - 1]))
		return unsafe(r, "ends inside the header of '%s', so the files would not be arguments",
			      fr[nf - 1].kind == F_FOR ? "for" : "case");
	if (c.fn_paren)
		return unsafe(r, "ends with '(', so the files would be a syntax error");
	if (c.after_compound)
		return unsafe(r, "ends with '%s', so the files would be a syntax error after it",
			      last != NULL ? last : ")");
	if (!c.have_cmd) {
		if (c.prefix)
			return unsafe(r, "has no command word after its assignments or redirections, so the first file would run as the command");
		if (last == NULL)
			return unsafe(r, "is empty, so the first file would run as a command");
		return unsafe(r, "ends with %s%s%s, so the first file would run as a command",
			      last[0] == 'a' && last[1] == ' ' ? "" : "'", last,
			      last[0] == 'a' && last[1] == ' ' ? "" : "'");
	}
	return 0;
}

void
shellcmd_classify(const char *cmd, struct shellcmd *out)
{
	struct reader r;
	size_t n;
	char first[64];

	memset(&r, 0, sizeof(r));
	r.s = cmd;
	r.why = out->why;
	r.why_size = sizeof(out->why);
	r.plain = 1;
	out->why[0] = '\0';
	read_list(&r, 0);
	if (r.stop == UNSAFE) {
		out->kind = SHELLCMD_UNSAFE;
		return;
	}
	out->kind = SHELLCMD_SHELL;
	if (r.stop != GOING || !r.plain || r.words == 0)
		return;
	/* Plain words: the first must not be the shell's own. */
	cmd += strspn(cmd, " \t");
	n = strcspn(cmd, " \t");
	if (n >= sizeof(first))
		n = sizeof(first) - 1;  /* longer than any shell word */
	memcpy(first, cmd, n);
	first[n] = '\0';
	if (!shellcmd_is_shell_word(first))
		out->kind = SHELLCMD_PLAIN;
}

char **
shellcmd_words(const char *cmd, size_t *n)
{
	struct shellcmd sc;
	size_t len = strlen(cmd), words = 0, i;
	char **v, *store, *w, *save = NULL;

	shellcmd_classify(cmd, &sc);
	if (sc.kind != SHELLCMD_PLAIN)
		return NULL;
	for (i = 0; i < len; i++)
		if (!is_blank(cmd[i]) && (i == 0 || is_blank(cmd[i - 1])))
			words++;
	v = xmalloc((words + 1) * sizeof(*v) + len + 1);
	store = (char *)(v + words + 1);
	memcpy(store, cmd, len + 1);
	for (i = 0, w = strtok_r(store, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save))
		v[i++] = w;
	v[i] = NULL;
	*n = words;
	return v;
}

int
shellcmd_is_shell_word(const char *word)
{
	/*
	 * dash 0.5.12's builtins and reserved words (`command -V NAME` for
	 * each), then those bash adds, in case /bin/sh is bash.
	 */
	static const char *const words[] = {
		"!", ".", ":", "[", "alias", "bg", "break", "case", "cd",
		"chdir", "command", "continue", "do", "done", "echo", "elif",
		"else", "esac", "eval", "exec", "exit", "export", "false", "fg",
		"fi", "for", "getopts", "hash", "if", "in", "jobs", "kill",
		"local", "printf", "pwd", "read", "readonly", "return", "set",
		"shift", "test", "then", "times", "trap", "true", "type",
		"ulimit", "umask", "unalias", "unset", "until", "wait", "while",
		"{", "}",
		"[[", "]]", "bind", "builtin", "caller", "compgen", "complete",
		"compopt", "coproc", "declare", "dirs", "disown", "enable",
		"fc", "function", "help", "history", "let", "logout", "mapfile",
		"popd", "pushd", "readarray", "select", "shopt", "source",
		"suspend", "time", "typeset"
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(words); k++)
		if (strcmp(word, words[k]) == 0)
			return 1;
	return 0;
}

/*
 * Words of a launcher: blanks part them; '...' keeps everything, "..."
 * everything but $ and ` (refused) with \ escaping \ " and newline, \
 * outside quotes the next byte. What would make the shell do more than
 * split (expansions, operators, globs, a comment, a tilde) is refused.
 */
char **
shellcmd_split(const char *s, size_t *n, char *why, size_t whysize)
{
	size_t len = strlen(s), words = 0;
	char **v = xmalloc((len / 2 + 2) * sizeof(*v) + len + 1);
	char *out = (char *)(v + len / 2 + 2), *w = NULL;
	const char *c = s;

	while (*c != '\0') {
		if (is_blank(*c) || *c == '\n') {
			if (w != NULL) {
				*out++ = '\0';
				v[words++] = w;
				w = NULL;
			}
			c++;
			continue;
		}
		if (w == NULL) {
			w = out;
			if (*c == '#' || *c == '~') {
				snprintf(why, whysize,
					 "'%c' at the start of a word needs a shell",
					 *c);
				goto bad;
			}
		}
		if (*c == '\'') {
			const char *end = strchr(c + 1, '\'');

			if (end == NULL) {
				snprintf(why, whysize, "a quote (') is not closed");
				goto bad;
			}
			memcpy(out, c + 1, (size_t)(end - c - 1));
			out += end - c - 1;
			c = end + 1;
		} else if (*c == '"') {
			for (c++; *c != '"'; c++) {
				if (*c == '\0') {
					snprintf(why, whysize,
						 "a quote (\") is not closed");
					goto bad;
				}
				if (*c == '$' || *c == '`') {
					snprintf(why, whysize,
						 "'%c' needs a shell", *c);
					goto bad;
				}
				if (*c == '\\' && (c[1] == '\\' || c[1] == '"' ||
						   c[1] == '$' || c[1] == '`'))
					c++;
				else if (*c == '\\' && c[1] == '\n') {
					c++;
					continue;
				}
				*out++ = *c;
			}
			c++;
		} else if (*c == '\\') {
			if (c[1] == '\0') {
				snprintf(why, whysize, "it ends with '\\'");
				goto bad;
			}
			if (c[1] != '\n')
				*out++ = c[1];
			c += 2;
		} else if (strchr("$`;&|<>()*?[", *c) != NULL) {
			snprintf(why, whysize, "'%c' needs a shell", *c);
			goto bad;
		} else {
			*out++ = *c++;
		}
	}
	if (w != NULL) {
		*out++ = '\0';
		v[words++] = w;
	}
	v[words] = NULL;
	*n = words;
	return v;
bad:
	free(v);
	return NULL;
}

/* A byte that needs no quoting in a POSIX shell word. */
static int
quote_free(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-_./,:+%@", c) != NULL;
}

char *
shellcmd_quote(char *const *argv)
{
	size_t len = 1, i;
	const char *a;
	char *s, *o;

	for (i = 0; argv[i] != NULL; i++)
		len += 4 * strlen(argv[i]) + 3;
	s = tryreallocarray(NULL, len, 1);
	if (s == NULL)
		return NULL;
	o = s;
	for (i = 0; argv[i] != NULL; i++) {
		int plain = argv[i][0] != '\0';

		for (a = argv[i]; plain && *a != '\0'; a++)
			plain = quote_free(*a);
		if (i > 0)
			*o++ = ' ';
		if (plain) {
			len = strlen(argv[i]);
			memcpy(o, argv[i], len);
			o += len;
			continue;
		}
		*o++ = '\'';
		for (a = argv[i]; *a != '\0'; a++) {
			if (*a == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else {
				*o++ = *a;
			}
		}
		*o++ = '\'';
	}
	*o = '\0';
	return s;
}
