// libFuzzer's driver, from the fuzzer runtime that `-sanitize=fuzzer` links (compiler-rt's
// FuzzerInterface.h). Only the fuzz executable (TRAWL_FUZZ=1, see Package.swift) imports it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

// Defined by TrawlFuzz (`@_cdecl`), declared here so that main.swift hands libFuzzer the C symbol.
int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);
