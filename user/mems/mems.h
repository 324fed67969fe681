/*
 * mems.h - the original MeMS header's interface, so that the official
 * example.c builds unchanged: mems_init, mems_finish, mems_malloc,
 * mems_free, mems_get, mems_print_stats, and printf.
 *
 * mm/heap/mems.c already owns these names (with an instance argument), so
 * here they are macros onto the single-heap wrappers of mems_user.h.
 */
#ifndef MEMS_ORIGINAL_H
#define MEMS_ORIGINAL_H

#include "ulib.h"
#include "mems_user.h"

#define mems_init() mems_user_init()
#define mems_finish() mems_user_finish()
#define mems_malloc(size) mems_user_malloc(size)
#define mems_free(v_ptr) mems_user_free(v_ptr)
#define mems_get(v_ptr) mems_user_get(v_ptr)
#define mems_print_stats() mems_user_print_stats()

#endif
