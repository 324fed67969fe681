/*
 * names.h - how registries of mm/ (replacement policies, fit policies) are
 * looked up and listed: an entry has a canonical name, space-separated
 * aliases, an optional number from the original program (memman's menu
 * numbers) and a one-line summary.
 */
#ifndef MM_NAMES_H
#define MM_NAMES_H

#include "fmt.h"

/* Is word the name or one of the aliases, ignoring case? */
bool mm_name_is(const char *name, const char *aliases, const char *word);
/* One line of a registry listing: "  N: name   summary (also: aliases)". */
void mm_name_line(struct mm_sink *out, const char *name, const char *aliases, int number,
		  const char *summary);

#endif
