/* Defects for gcc, clang and cppcheck: each marked line is wrong on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include "bad.h"

static int unused_fn(int a)
{
	return a;
}

int main(int argc, char **argv)
{
	int x;
	int arr[4];
	char *p = NULL;
	char *q = malloc(16);
	unsigned u = 3;

	arr[4] = 1;
	if (u < 0)
		puts("never");
	printf("%d\n", "not an int");
	*p = 'a';
	(void)q;
	return arr[0];
}
