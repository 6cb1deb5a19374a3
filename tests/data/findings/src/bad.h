/* A header with a defect, so compilers print "In file included from". */
static inline int helper(int n)
{
	int unused_here;

	return n;
}
