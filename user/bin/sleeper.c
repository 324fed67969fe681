/*
 * sleeper - sleeps for argv[1] seconds (default 30), touching a page of
 * its heap every 100 ms, then exits 0: a process to watch with ps, pt and
 * space show while it runs in the background, to kill, or to stop with
 * Ctrl-C. With a second argument "spin" it computes instead of sleeping.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	unsigned secs = argc > 1 ? (unsigned)atou(argv[1]) : 30;
	int spin = argc > 2 && strcmp(argv[2], "spin") == 0;
	volatile char *heap = map_anon(64 * 4096);
	if (is_err((void *)heap)) return 2;
	printf("sleeper %d: %u s, %s\n", getpid(), secs, spin ? "spinning" : "sleeping");
	for (unsigned i = 0; i < secs * 10; i++) {
		heap[(i % 64) * 4096] = (char)i;
		if (spin) {
			long t0 = time(0);
			for (volatile unsigned k = 0; k < 2000000 && time(0) - t0 < 1; k++) {}
		} else {
			sleep_ms(100);
		}
	}
	printf("sleeper %d: done\n", getpid());
	return 0;
}
