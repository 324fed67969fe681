/*
 * names.c - registry name matching, lookup and listing (see names.h): a
 * name or an alias matches a word whole, without regard to case; a decimal
 * word names the entry with that number. Lookups are linear scans of the
 * table (registries hold a handful of entries).
 */
#include "mmlib.h"
#include "names.h"

/* Where a listing's wrapped summary continues: under the summary. */
#define NAME_INDENT 12

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Does w[0..n) equal word (NUL-terminated), ignoring case? */
static bool same_word(const char *w, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (!word[i] || lower(w[i]) != lower(word[i])) return false;
	return word[n] == 0;
}

bool mm_name_is(const char *name, const char *aliases, const char *word)
{
	if (same_word(name, mm_strlen(name), word)) return true;
	for (const char *p = aliases ? aliases : ""; *p;) {
		while (*p == ' ') p++;
		size_t n = 0;
		while (p[n] && p[n] != ' ') n++;
		if (n && same_word(p, n, word)) return true;
		p += n;
	}
	return false;
}

void mm_name_line(struct mm_sink *out, const char *name, const char *aliases, int number,
		  const char *summary)
{
	char num[16] = "   ";
	if (number) mm_snprintf(num, sizeof num, "%d: ", number);
	char head[64], text[512];
	int col = mm_snprintf(head, sizeof head, "  %s%-6s ", num, name);
	if (aliases && aliases[0]) mm_snprintf(text, sizeof text, "%s (also: %s)", summary, aliases);
	else mm_snprintf(text, sizeof text, "%s", summary);
	mm_format(out, "%s", head);
	mm_wrap(out, text, col, NAME_INDENT, MM_COLUMNS);
}

size_t mm_reg_by_number(const struct mm_registry *r, int number)
{
	for (size_t i = 0; number > 0 && i < r->count; i++)
		if (r->names(i).number == number) return i;
	return MM_REG_NONE;
}

size_t mm_reg_lookup(const struct mm_registry *r, const char *word)
{
	uint64_t number;
	if (!word || !*word) return MM_REG_NONE;
	if (mm_parse_u64z(word, 10, &number) == 0)
		return number <= INT32_MAX ? mm_reg_by_number(r, (int)number) : MM_REG_NONE;
	for (size_t i = 0; i < r->count; i++) {
		struct mm_reg_names n = r->names(i);
		if (mm_name_is(n.name, n.aliases, word)) return i;
	}
	return MM_REG_NONE;
}

void mm_reg_list(const struct mm_registry *r, struct mm_sink *out)
{
	for (size_t i = 0; i < r->count; i++) {
		struct mm_reg_names n = r->names(i);
		mm_name_line(out, n.name, n.aliases, n.number, n.summary);
	}
}
