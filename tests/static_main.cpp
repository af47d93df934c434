// The static tests pass by compiling; this main only lets meson run them as a test.
int main() { return 0; }
