/* Calls the no_std static library and prints every event it records, one
 * per line, for `tests/no_std.rs` to compare. */
#include <stdio.h>

typedef void (*record_fn)(const char *event, int value);

int epilogue_init(record_fn record, int fail_at);
int epilogue_lookup(record_fn record, int index);
int epilogue_reinit(record_fn record, int fail_at);
int epilogue_transfer(record_fn record, int bytes);

static void record(const char *event, int value) {
    printf("  %s: %d\n", event, value);
}

int main(void) {
    for (int fail_at = 0; fail_at <= 4; fail_at++) {
        printf("init failing at step %d\n", fail_at);
        printf("= %d\n", epilogue_init(record, fail_at));
    }
    for (int index = 0; index <= 3; index++) {
        printf("lookup %d\n", index);
        printf("= %d\n", epilogue_lookup(record, index));
    }
    printf("reinit failing at step 2\n");
    printf("= %d\n", epilogue_reinit(record, 2));
    printf("reinit succeeding\n");
    printf("= %d\n", epilogue_reinit(record, 0));
    printf("transfer 5\n");
    printf("= %d\n", epilogue_transfer(record, 5));
    printf("transfer -2\n");
    printf("= %d\n", epilogue_transfer(record, -2));
    return 0;
}
