/* Fletcher-16 checksum of a file, used to verify release archives. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t fletcher16(FILE *f)
{
    uint32_t sum1 = 0, sum2 = 0;
    int c;

    while ((c = getc(f)) != EOF) {
        sum1 = (sum1 + (uint32_t)c) % 255;
        sum2 = (sum2 + sum1) % 255;
    }
    return (uint16_t)((sum2 << 8) | sum1);
}

int main(int argc, char **argv)
{
    int status = EXIT_SUCCESS;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            status = EXIT_FAILURE;
            continue;
        }
        uint16_t sum = fletcher16(f);
        if (ferror(f)) {
            perror(argv[i]);
            status = EXIT_FAILURE;
        } else {
            printf("%04x  %s\n", (unsigned)sum, argv[i]);
        }
        fclose(f);
    }
    return status;
}
