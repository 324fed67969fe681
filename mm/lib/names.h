/*
 * names.h - how registries of mm/ (replacement policies, fit policies) are
 * looked up and listed: an entry has a canonical name, space-separated
 * aliases, an optional number from the original program (memman's menu
 * numbers) and a one-line summary.
 *
 * A registry keeps its own typed table (of struct repl_ops pointers, of
 * struct fit_ops pointers) and describes it with a struct mm_registry: how
 * many entries there are and how to read the names of entry i. The lookups
 * below answer with an index into that table (MM_REG_NONE when nothing
 * matches), which the registry's typed wrappers turn back into an entry.
 */
#ifndef MM_NAMES_H
#define MM_NAMES_H

#include "fmt.h"

/* Is word the name or one of the aliases, ignoring case? */
bool mm_name_is(const char *name, const char *aliases, const char *word);
/* One entry of a registry listing: "  N: name   summary (also: aliases)",
 * the summary wrapped at MM_COLUMNS under itself. */
void mm_name_line(struct mm_sink *out, const char *name, const char *aliases, int number,
		  const char *summary);

/* ---- registries ---------------------------------------------------------- */

#define MM_REG_NONE ((size_t)-1) /* "no such entry" */

/* What a registry tells about one entry. */
struct mm_reg_names {
	const char *name;    /* canonical, lower case */
	const char *aliases; /* other accepted names, space separated, or "" */
	int number;          /* the original program's number (1..), or 0 */
	const char *summary; /* one line for the listing */
};

/* A table of count entries; names(i) describes entry i (i < count). */
struct mm_registry {
	size_t count;
	struct mm_reg_names (*names)(size_t i);
};

/* The entry with that number (which must be above 0), or MM_REG_NONE. */
size_t mm_reg_by_number(const struct mm_registry *r, int number);
/* By name or alias, case-insensitive; a decimal number ("3") names the
 * entry with that number. MM_REG_NONE when nothing matches (NULL or ""). */
size_t mm_reg_lookup(const struct mm_registry *r, const char *word);
/* One mm_name_line per entry, in table order. */
void mm_reg_list(const struct mm_registry *r, struct mm_sink *out);

/*
 * The typed front of a registry, written once for every registry: over
 * `table`, an array of `const TYPE *` whose entries have the fields name,
 * aliases, memman and summary, it defines PREFIX_count, PREFIX_at,
 * PREFIX_by_memman, PREFIX_lookup and PREFIX_list (declared by the
 * registry's own header).
 */
#define MM_REGISTRY_FRONT(prefix, type, table)                                       \
	static struct mm_reg_names prefix##_reg_names(size_t i)                       \
	{                                                                              \
		const type *e = table[i];                                              \
		return (struct mm_reg_names){ e->name, e->aliases, e->memman, e->summary }; \
	}                                                                              \
	static const struct mm_registry prefix##_reg = { MM_ARRAY_SIZE(table), prefix##_reg_names }; \
	size_t prefix##_count(void) { return prefix##_reg.count; }                     \
	const type *prefix##_at(size_t i) { return i < prefix##_reg.count ? table[i] : 0; } \
	const type *prefix##_by_memman(int n) { return prefix##_at(mm_reg_by_number(&prefix##_reg, n)); } \
	const type *prefix##_lookup(const char *w) { return prefix##_at(mm_reg_lookup(&prefix##_reg, w)); } \
	void prefix##_list(struct mm_sink *out) { mm_reg_list(&prefix##_reg, out); }

#endif
