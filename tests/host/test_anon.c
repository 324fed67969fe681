/*
 * test_anon.c - shared anonymous memory (mm/anon.c) and the region
 * operations user processes need (mm/vmspace.c: fork, unmap and protect of
 * ranges, stacks that grow, file-backed regions, resize and move), on
 * simulated physical memory with the host CPU of host_cpu.h. Every value
 * read is checked against what the test itself wrote.
 */
#include "anon_rig.h"
#include "htest.h"

HTEST(anon_fork_shares_then_copies_on_write)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 64, 64, "lru"), 0);
	struct vm_space *p = space(&g, 8), *c = space(&g, 0);
	ASSERT_TRUE(p && c);
	for (uint32_t i = 0; i < 8; i++) ASSERT_EQ(put(p, i, pattern(0, i)), VM_RESOLVED);
	ASSERT_EQ(vm_space_fork(c, p), 0);
	for (uint32_t i = 0; i < 8; i++) {
		EXPECT_EQ(anon_page_at(&g.ap, p, at(i, 0))->nmap, 2);
		EXPECT_TRUE(paddr_eq(frame_at(p, i), frame_at(c, i)));
		EXPECT_EQ(get(c, i), pattern(0, i));
	}
	EXPECT_EQ(g.ap.pool.nresident, 8); /* nothing was copied by the fork */
	ASSERT_EQ(put(c, 3, 777), VM_RESOLVED); /* the child's write copies page 3 */
	EXPECT_EQ(get(c, 3), 777);
	EXPECT_EQ(get(p, 3), pattern(0, 3));
	EXPECT_FALSE(paddr_eq(frame_at(p, 3), frame_at(c, 3)));
	EXPECT_EQ(g.ap.stats.cow_copies, 1);
	EXPECT_EQ(anon_page_at(&g.ap, p, at(3, 0))->nmap, 1);
	ASSERT_EQ(put(p, 3, 555), VM_RESOLVED); /* the parent is alone now: no copy */
	EXPECT_EQ(g.ap.stats.cow_copies, 1);
	EXPECT_EQ(g.ap.stats.cow_reuses, 1);
	EXPECT_EQ(get(c, 3), 777);
	EXPECT_EQ(get(p, 3), 555);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	drop(&g, p); /* the child's pages stay, now unshared */
	EXPECT_EQ(g.ap.live, 8);
	for (uint32_t i = 0; i < 8; i++) EXPECT_EQ(get(c, i), i == 3 ? 777 : pattern(0, i));
	EXPECT_EQ(g.ap.stats.cow_copies, 1);
	drop(&g, c);
	EXPECT_EQ(g.ap.live, 0);
	EXPECT_EQ(g.ap.pool.nresident, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

/* A parent and two generations of children write their own patterns into
 * pages they share, through a pool much smaller than the pages: every
 * read must see what that space last wrote, for every policy. */
HTEST(anon_shared_pages_swap_for_every_policy)
{
	enum { FRAMES = 6, PAGES = 40, SPACES = 3 };
	for (size_t k = 0; k < repl_count(); k++) {
		const struct repl_ops *ops = repl_at(k);
		if (ops->needs_future) continue;
		struct rig g;
		ASSERT_EQ(rig_init(&g, FRAMES, 256, ops->name), 0);
		struct vm_space *s[SPACES] = { space(&g, PAGES), space(&g, 0), space(&g, 0) };
		static uint32_t want[SPACES][PAGES];
		for (uint32_t i = 0; i < PAGES; i++) {
			ASSERT_EQ(put(s[0], i, pattern(0, i)), VM_RESOLVED);
			want[0][i] = pattern(0, i);
		}
		ASSERT_EQ(vm_space_fork(s[1], s[0]), 0);
		memcpy(want[1], want[0], sizeof want[0]);
		ASSERT_EQ(put(s[1], 5, 1234), VM_RESOLVED);
		want[1][5] = 1234;
		ASSERT_EQ(vm_space_fork(s[2], s[1]), 0);
		memcpy(want[2], want[1], sizeof want[1]);
		srand(99 + (unsigned)k);
		int bad = 0;
		for (int n = 0; n < 3000; n++) {
			uint32_t w = (uint32_t)rand() % SPACES, i = (uint32_t)rand() % PAGES;
			if (rand() % 3 == 0) {
				want[w][i] = pattern(w, i) + (uint32_t)n;
				ASSERT_EQ(put(s[w], i, want[w][i]), VM_RESOLVED);
			} else {
				bad += get(s[w], i) != want[w][i];
			}
			if (n % 500 == 0) EXPECT_EQ(anon_check(&g.ap, NULL), 0);
		}
		EXPECT_EQ(bad, 0);
		if (bad) printf("# policy %s: %d wrong reads\n", ops->name, bad);
		EXPECT_TRUE(g.ap.pool.stats.evictions > 100);
		EXPECT_EQ(anon_check(&g.ap, NULL), 0);
		for (int w = 0; w < SPACES; w++) drop(&g, s[w]);
		EXPECT_EQ(g.ap.live, 0);
		EXPECT_EQ(g.sw.stats.in_use, 0);
		rig_fini(&g);
		EXPECT_EQ(fa.nallocated, 0);
	}
}

/* A copy that cannot get a frame (every resident page is dirty and the
 * swap device fails) leaves both spaces as they were. */
HTEST(anon_failed_copy_changes_nothing)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 2, 16, "fifo"), 0);
	struct vm_space *p = space(&g, 2), *c = space(&g, 0);
	ASSERT_EQ(put(p, 0, 10), VM_RESOLVED);
	ASSERT_EQ(put(p, 1, 11), VM_RESOLVED);
	ASSERT_EQ(vm_space_fork(c, p), 0);
	g.rs.fail_writes = 1;
	uint32_t v = 99;
	EXPECT_EQ(cpu_access(c, at(0, 8), true, &v), VM_OOM);
	g.rs.fail_writes = 0;
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	EXPECT_EQ(anon_page_at(&g.ap, p, at(0, 0))->nmap, 2);
	EXPECT_EQ(get(c, 0), 10);
	EXPECT_EQ(get(p, 0), 10);
	ASSERT_EQ(put(c, 0, 99), VM_RESOLVED); /* with the device back, the copy works */
	EXPECT_EQ(get(c, 0), 99);
	EXPECT_EQ(get(p, 0), 10);
	EXPECT_EQ(get(p, 1), 11);
	drop(&g, p);
	drop(&g, c);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_unmap_and_protect_split_regions)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 32, 32, "clock"), 0);
	struct vm_space *s = space(&g, 10);
	for (uint32_t i = 0; i < 10; i++) ASSERT_EQ(put(s, i, pattern(1, i)), VM_RESOLVED);
	ASSERT_EQ(vm_range_unmap(s, at(4, 0), 2), 0); /* a hole in the middle */
	EXPECT_EQ(s->nregions, 2);
	EXPECT_EQ(g.ap.live, 8);
	uint32_t v;
	EXPECT_EQ(cpu_access(s, at(4, 0), false, &v), VM_BAD_ACCESS);
	EXPECT_EQ(cpu_access(s, at(5, 0), false, &v), VM_BAD_ACCESS);
	EXPECT_EQ(get(s, 3), pattern(1, 3));
	EXPECT_EQ(get(s, 6), pattern(1, 6));
	EXPECT_EQ(vm_range_protect(s, at(2, 0), 4, VM_READ), -MM_ENOENT); /* the hole is in it */
	ASSERT_EQ(vm_range_protect(s, at(7, 0), 1, VM_READ), 0);
	EXPECT_EQ(s->nregions, 4);
	v = 1;
	EXPECT_EQ(cpu_access(s, at(7, 0), true, &v), VM_BAD_ACCESS);
	EXPECT_EQ(put(s, 8, 5), VM_RESOLVED);
	EXPECT_EQ(get(s, 7), pattern(1, 7));
	ASSERT_EQ(vm_range_protect(s, at(7, 0), 1, RW), 0); /* writable again */
	EXPECT_EQ(put(s, 7, 6), VM_RESOLVED);
	EXPECT_EQ(get(s, 7), 6);
	ASSERT_EQ(vm_range_unmap(s, BASE, 10), 0); /* everything, across the hole */
	EXPECT_EQ(s->nregions, 0);
	EXPECT_EQ(g.ap.live, 0);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_nowrite_regions_stay_read_only)
{
	/* A shared mapping of a read-only file (VM_NOWRITE) reads its bytes,
	 * refuses write access when made, by mprotect of a range across it
	 * (nothing split) or of the region, and keeps the flag in a split. */
	struct rig g;
	ASSERT_EQ(rig_init(&g, 8, 8, "fifo"), 0);
	struct vm_space *s = space(&g, 0);
	static const uint8_t bytes[3 * PAGE_SIZE] = { 7, 8, 9 };
	struct vm_region d = { .start = at(20, 0), .npages = 3, .prot = VM_READ | VM_USER, .kind = VM_FILE,
			       .flags = VM_NOWRITE, .file = bytes, .file_len = sizeof bytes };
	struct vm_region bad = d;
	bad.prot |= VM_WRITE;
	EXPECT_EQ(vm_region_add_desc(s, &bad), -MM_EINVAL);
	ASSERT_EQ(vm_region_add_desc(s, &d), 0);
	ASSERT_EQ(vm_region_add(s, at(23, 0), 1, RW), 0);
	uint32_t v;
	ASSERT_EQ(cpu_access(s, at(20, 0), false, &v), VM_RESOLVED);
	EXPECT_EQ(v, 7u | 8u << 8 | 9u << 16);
	v = 1;
	EXPECT_EQ(cpu_access(s, at(20, 0), true, &v), VM_BAD_ACCESS);
	uint32_t before = s->nregions;
	EXPECT_EQ(vm_range_protect(s, at(21, 0), 3, RW), -MM_EACCES); /* across it and the next */
	EXPECT_EQ(s->nregions, before);
	EXPECT_EQ(vm_region_protect(s, at(20, 0), RW), -MM_EACCES);
	ASSERT_EQ(vm_range_protect(s, at(21, 0), 1, VM_READ | VM_USER), 0); /* read-only is fine: splits */
	EXPECT_EQ(s->nregions, before + 2);
	EXPECT_EQ(vm_range_protect(s, at(22, 0), 1, RW), -MM_EACCES); /* the tail keeps the flag */
	EXPECT_EQ(vm_range_protect(s, at(23, 0), 1, VM_READ | VM_USER), 0);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_no_access_region_hides_resident_pages)
{
	/* x86 cannot forbid reads of a present page: a region that allows no
	 * access (PROT_NONE) keeps its resident pages supervisor-only, so a
	 * user read faults and is refused; access given back, the page reads
	 * as it was */
	struct rig g;
	ASSERT_EQ(rig_init(&g, 8, 8, "fifo"), 0);
	struct vm_space *s = space(&g, 0);
	uint32_t urw = VM_READ | VM_WRITE | VM_USER, v = 77;
	ASSERT_EQ(vm_region_add(s, at(30, 0), 2, urw), 0);
	ASSERT_EQ(cpu_access_as(s, at(30, 0), true, true, &v), VM_RESOLVED);
	ASSERT_EQ(vm_range_protect(s, at(30, 0), 2, VM_USER), 0);
	EXPECT_EQ(cpu_access_as(s, at(30, 0), false, true, &v), VM_BAD_ACCESS);
	EXPECT_EQ(cpu_access_as(s, at(31, 0), false, true, &v), VM_BAD_ACCESS); /* never touched */
	ASSERT_EQ(vm_range_protect(s, at(30, 0), 2, VM_READ | VM_USER), 0);
	v = 0;
	EXPECT_EQ(cpu_access_as(s, at(30, 0), false, true, &v), VM_RESOLVED);
	EXPECT_EQ(v, 77u);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_shared_region_is_shared_after_fork)
{
	/* MAP_SHARED|MAP_ANONYMOUS: after fork a write by either is seen by
	 * the other, for a page touched before the fork and one never touched
	 * (fork brings it in first), through swap (a pool of 4 frames for 12
	 * pages), and after an mprotect read-only and back; a private region
	 * beside it stays copy-on-write; MADV_DONTNEED keeps shared data. */
	struct rig g;
	ASSERT_EQ(rig_init(&g, 4, 64, "lru"), 0);
	struct vm_space *p = space(&g, 0), *c = space(&g, 0);
	struct vm_region d = { .start = BASE, .npages = 8, .prot = RW, .flags = VM_SHARED };
	ASSERT_EQ(vm_region_add_desc(p, &d), 0);
	ASSERT_EQ(vm_region_add(p, at(8, 0), 4, RW), 0); /* private */
	ASSERT_EQ(put(p, 0, 100), VM_RESOLVED);
	ASSERT_EQ(put(p, 8, 108), VM_RESOLVED);
	ASSERT_EQ(vm_space_fork(c, p), 0);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	ASSERT_EQ(put(c, 0, 200), VM_RESOLVED); /* touched before the fork */
	EXPECT_EQ(get(p, 0), 200u);
	ASSERT_EQ(put(p, 5, 105), VM_RESOLVED); /* never touched before it */
	EXPECT_EQ(get(c, 5), 105u);
	ASSERT_EQ(put(c, 8, 208), VM_RESOLVED); /* private: the child's copy */
	EXPECT_EQ(get(p, 8), 108u);
	for (uint32_t i = 0; i < 8; i++) ASSERT_EQ(put(i % 2 ? p : c, i, 1000 + i), VM_RESOLVED);
	for (uint32_t i = 8; i < 12; i++) ASSERT_EQ(put(p, i, 2000 + i), VM_RESOLVED); /* pressure */
	for (uint32_t i = 0; i < 8; i++) {
		EXPECT_EQ(get(p, i), 1000 + i);
		EXPECT_EQ(get(c, i), 1000 + i);
	}
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	ASSERT_EQ(vm_range_protect(c, at(3, 0), 1, VM_READ), 0);
	ASSERT_EQ(vm_range_protect(c, at(3, 0), 1, RW), 0);
	ASSERT_EQ(put(c, 3, 333), VM_RESOLVED); /* no copy: still the page both map */
	EXPECT_EQ(get(p, 3), 333u);
	vm_range_discard(p, at(3, 0), 1);
	EXPECT_EQ(get(p, 3), 333u);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	drop(&g, c);
	EXPECT_EQ(get(p, 3), 333u); /* the other's end leaves the pages */
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	drop(&g, p);
	EXPECT_EQ(g.ap.live, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_stack_grows_down_to_its_limit)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 16, 16, "fifo"), 0);
	struct vm_space *s = space(&g, 0);
	vaddr_t top = vaddr_make(0xB0000000u);
	struct vm_region d = { .start = vaddr_sub(top, PAGE_SIZE), .npages = 1, .prot = RW, .flags = VM_GROWSDOWN };
	ASSERT_EQ(vm_region_add_desc(s, &d), 0);
	uint32_t v = 3;
	EXPECT_EQ(cpu_access(s, vaddr_sub(top, 3 * PAGE_SIZE), true, &v), VM_RESOLVED);
	EXPECT_EQ(s->regions->npages, 3);
	vaddr_t far = vaddr_sub(top, (VM_STACK_MAX_PAGES + 1) * PAGE_SIZE);
	EXPECT_EQ(cpu_access(s, far, true, &v), VM_BAD_ACCESS);
	ASSERT_EQ(vm_region_add(s, vaddr_sub(top, 10 * PAGE_SIZE), 1, RW), 0); /* a region below */
	EXPECT_EQ(cpu_access(s, vaddr_sub(top, 9 * PAGE_SIZE), true, &v), VM_RESOLVED); /* grows up to it */
	EXPECT_EQ(cpu_access(s, vaddr_sub(top, 11 * PAGE_SIZE), true, &v), VM_BAD_ACCESS);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_file_region_reads_file_then_zero)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 2, 16, "fifo"), 0); /* 2 frames: pages go and come back */
	static uint8_t file[3 * 4096];
	for (size_t i = 0; i < sizeof file; i++) file[i] = (uint8_t)(i * 7 + 1);
	struct vm_space *s = space(&g, 0);
	uint32_t len = 4096 + 100; /* a page and 100 bytes of file, then .bss */
	struct vm_region d = { .start = BASE, .npages = 4, .prot = RW, .kind = VM_FILE, .file = file, .file_len = len };
	ASSERT_EQ(vm_region_add_desc(s, &d), 0);
	int bad = 0;
	for (int round = 0; round < 2; round++)
		for (uint32_t off = 0; off < 4 * 4096; off += 4) {
			uint32_t v, want;
			ASSERT_EQ(cpu_access(s, vaddr_add(BASE, off), false, &v), VM_RESOLVED);
			memset(&want, 0, 4);
			if (off < len) memcpy(&want, file + off, len - off < 4 ? len - off : 4);
			bad += v != want;
		}
	EXPECT_EQ(bad, 0);
	/* 2 frames, 4 pages read in turn twice: every read of a page is a miss,
	 * and a clean file page is dropped and read from the file again */
	EXPECT_EQ(g.ap.stats.file_fills, 8);
	EXPECT_EQ(g.sw.stats.writes, 0);
	EXPECT_EQ(g.ap.stats.file_drops, 6);
	uint32_t w = 0x77;
	ASSERT_EQ(cpu_access(s, at(0, 0), true, &w), VM_RESOLVED); /* written: now it must be swapped */
	for (uint32_t p = 1; p < 4; p++) ASSERT_EQ(cpu_access(s, at(p, 0), false, &w), VM_RESOLVED);
	EXPECT_EQ(g.sw.stats.writes, 1);
	ASSERT_EQ(cpu_access(s, at(0, 0), false, &w), VM_RESOLVED);
	EXPECT_EQ(w, 0x77);
	ASSERT_EQ(vm_range_unmap(s, at(1, 0), 1), 0); /* the split keeps the file offsets */
	ASSERT_EQ(vm_region_add_desc(s, &(struct vm_region){ .start = at(1, 0), .npages = 1, .prot = RW, .kind = VM_FILE, .file = file + 4096, .file_len = 100 }), 0);
	uint32_t v;
	ASSERT_EQ(cpu_access(s, at(1, 96), false, &v), VM_RESOLVED);
	uint32_t want = 0;
	memcpy(&want, file + 4096 + 96, 4);
	EXPECT_EQ(v, want);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_resize_and_move_keep_contents)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 4, 64, "lru"), 0);
	struct vm_space *s = space(&g, 4);
	for (uint32_t i = 0; i < 4; i++) ASSERT_EQ(put(s, i, pattern(2, i)), VM_RESOLVED);
	ASSERT_EQ(vm_region_resize(s, BASE, 8), 0);
	EXPECT_EQ(put(s, 7, 70), VM_RESOLVED); /* evicts one of the first four */
	ASSERT_EQ(vm_region_add(s, at(8, 0), 1, RW), 0);
	EXPECT_EQ(vm_region_resize(s, BASE, 9), -MM_EEXIST);
	vaddr_t to = vaddr_make(0x20000000u);
	ASSERT_EQ(vm_region_move(s, BASE, to), 0);
	uint32_t v;
	EXPECT_EQ(cpu_access(s, at(0, 8), false, &v), VM_BAD_ACCESS);
	for (uint32_t i = 0; i < 4; i++) {
		ASSERT_EQ(cpu_access(s, vaddr_add(to, i * 4096 + 8), false, &v), VM_RESOLVED);
		EXPECT_EQ(v, pattern(2, i));
	}
	ASSERT_EQ(cpu_access(s, vaddr_add(to, 7 * 4096 + 8), false, &v), VM_RESOLVED);
	EXPECT_EQ(v, 70);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	ASSERT_EQ(vm_region_resize(s, to, 2), 0); /* shrinking releases pages 2..7 */
	EXPECT_EQ(g.ap.live, 2);
	drop(&g, s);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_policy_change_keeps_resident_pages)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 4, 64, "fifo"), 0);
	struct vm_space *s = space(&g, 16);
	for (uint32_t i = 0; i < 16; i++) ASSERT_EQ(put(s, i, pattern(3, i)), VM_RESOLVED);
	ASSERT_EQ(anon_set_policy(&g.ap, repl_lookup("lru")), 0);
	EXPECT_EQ(strcmp(g.ap.pool.cfg.policy->name, "lru"), 0);
	EXPECT_EQ(anon_set_policy(&g.ap, repl_lookup("opt")), -MM_EINVAL); /* needs the future */
	int bad = 0;
	for (uint32_t i = 0; i < 16; i++) bad += get(s, i) != pattern(3, i);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	drop(&g, s);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

/* A page swapped in keeps its swap copy; a write through one mapping makes
 * that copy stale, and the write must not be forgotten when that mapping
 * goes (its process ends, or it copies the page on a later write) while
 * another mapping, which never wrote, keeps the page. */
HTEST(anon_a_write_outlives_its_mapping)
{
	for (int how = 0; how < 2; how++) {
		struct rig g;
		ASSERT_EQ(rig_init(&g, 2, 16, "fifo"), 0);
		struct vm_space *p = space(&g, 4), *c = space(&g, 0);
		ASSERT_TRUE(p && c);
		for (uint32_t i = 0; i < 4; i++) ASSERT_EQ(put(p, i, pattern(0, i)), VM_RESOLVED);
		EXPECT_EQ(get(p, 0), pattern(0, 0)); /* back from swap, its copy kept */
		ASSERT_EQ(put(p, 0, 4711), VM_RESOLVED); /* the copy is stale now */
		ASSERT_EQ(vm_space_fork(c, p), 0);
		if (how == 0) {
			drop(&g, p); /* the writer ends */
		} else {
			ASSERT_EQ(put(p, 0, 99), VM_RESOLVED); /* the writer copies the page */
		}
		for (uint32_t i = 1; i < 4; i++) EXPECT_EQ(get(c, i), pattern(0, i)); /* page 0 goes out */
		EXPECT_EQ(anon_page_at(&g.ap, c, at(0, 0))->slot, REPL_NO_SLOT);
		EXPECT_EQ(get(c, 0), 4711);
		if (how == 1) EXPECT_EQ(get(p, 0), 99);
		EXPECT_EQ(anon_check(&g.ap, NULL), 0);
		if (how == 1) drop(&g, p);
		drop(&g, c);
		rig_fini(&g);
		EXPECT_EQ(fa.nallocated, 0);
	}
}
