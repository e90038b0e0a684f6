/* Runs a libFuzzer target over its seed corpus without libFuzzer, so that
 * the regular (gcc, ASan+UBSan) test build replays every corpus file as a
 * regression test.  Arguments are files or directories of files. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, allocated = 0, n;

    if (!file) {
        perror(path);
        return -1;
    }
    do {
        if (size == allocated) {
            allocated = allocated ? 2 * allocated : 4096;
            data = realloc(data, allocated);
            if (!data) {
                abort();
            }
        }
        n = fread(data + size, 1, allocated - size, file);
        size += n;
    } while (n);
    fclose(file);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

int
main(int argc, char *argv[])
{
    int n_inputs = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st)) {
            perror(argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i])) {
                return 1;
            }
            n_inputs++;
            continue;
        }
        DIR *dir = opendir(argv[i]);
        struct dirent *entry;

        if (!dir) {
            perror(argv[i]);
            return 1;
        }
        while ((entry = readdir(dir))) {
            char path[4096];

            if (entry->d_name[0] == '.') {
                continue;
            }
            snprintf(path, sizeof path, "%s/%s", argv[i], entry->d_name);
            if (replay_file(path)) {
                closedir(dir);
                return 1;
            }
            n_inputs++;
        }
        closedir(dir);
    }
    printf("replayed %d inputs\n", n_inputs);
    /* An empty corpus would make this test pass without testing anything. */
    return n_inputs ? 0 : 1;
}
