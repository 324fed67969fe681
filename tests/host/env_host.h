/*
 * env_host.h - what the host mm_env (env_host.c) offers tests beyond mm_env.h:
 * a simulated physical memory and counters of TLB flushes and CR3 loads.
 */
#ifndef ENV_HOST_H
#define ENV_HOST_H

#include <string.h>
#include "mm_env.h"

extern unsigned char *host_phys_base;
extern size_t host_phys_bytes;
extern unsigned long host_tlb_flushes, host_pgdir_loads;
extern paddr_t host_current_pgdir;
extern int host_log_quiet;

/* (Re)create a simulated physical memory of nbytes, filled with 0xA5. */
void *host_phys_init(size_t nbytes);
void host_phys_free(void);

#endif
