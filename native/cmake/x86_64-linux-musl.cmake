# Builds the library for linux-musl-x64 (Alpine) with musl-gcc (apt-get install musl-tools),
# so that it links against musl's libc.so rather than glibc's libc.so.6.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER musl-gcc)
