/* Errors for gcc and clang: an undeclared name, then a missing header. */
int f(void)
{
	return undeclared;
}
#include "missing.h"
