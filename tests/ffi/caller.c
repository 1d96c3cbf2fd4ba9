/* A C library that calls back into Rust, for the FFI boundary test: a panic
 * that unwound out of the callback would have to cross these C frames, which
 * Rust turns into an abort. */

typedef int (*callback_t)(int);

int call_each(callback_t callback, const int *values, int count, int *failures) {
    int sum = 0;
    for (int i = 0; i < count; i++) {
        int result = callback(values[i]);
        if (result < 0) {
            (*failures)++;
        } else {
            sum += result;
        }
    }
    return sum;
}
