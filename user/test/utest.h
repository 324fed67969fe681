/*
 * utest.h - what the user-level tests share: the verdict (exactly one line,
 * "PASS <name>" with status 0 or "FAIL <name>: <why>" with status 1), a
 * byte pattern that differs in every page and every word, and helpers to
 * run a piece of a test in a child and read its wait status.
 *
 * Each test defines its name once:  const char test_name[] = "page-linear";
 * Children never print: they tell the parent through their exit status.
 */
#ifndef UTEST_H
#define UTEST_H

#include "ulib.h"

extern const char test_name[];

/* Print "PASS <test_name>" and exit 0. */
void pass(void) __attribute__((noreturn));
/* Print "FAIL <test_name>: <why>" and exit 1. */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The pattern word at word index i of page number page, for seed. */
static inline uint32_t pattern_word(uint32_t page, uint32_t i, uint32_t seed)
{
	return (page * 0x9E3779B1u) ^ (i * 0x85EBCA77u) ^ (seed * 0xC2B2AE3Du) ^ 0x5A5A5A5Au;
}

/* Fill the page at p (page number page) with the pattern. */
void pattern_fill(void *p, uint32_t page, uint32_t seed);
/* -1 if every byte of the page at p holds the pattern, else the offset of
 * the first byte that does not. */
long pattern_check(const void *p, uint32_t page, uint32_t seed);
/* Same over npages pages from base, page numbers counting from 0; check
 * returns -1 or the offset from base of the first wrong byte. */
void pattern_fill_range(void *base, size_t npages, uint32_t seed);
long pattern_check_range(const void *base, size_t npages, uint32_t seed);
/* -1 if n bytes at p are all zero, else the offset of the first that is not. */
long find_nonzero(const void *p, size_t n);

/* Fork; the child runs fn(arg) and exits with what it returns. Returns the
 * child's wait status, or fails the test if fork or waitpid fails. */
int run_child(int (*fn)(void *arg), void *arg);
/* Describe a wait status: "exited 3", "killed by signal 11". */
const char *status_text(int status);
/* Fail unless status says killed by signal sig; what names the action. */
void expect_signal(int status, int sig, const char *what);

#endif
