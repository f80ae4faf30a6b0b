/* Wine 8 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard library
 * (1.78+) imports on Windows for random numbers. This stand-in, built with mingw-w64 into the
 * throwaway Wine prefix of scripts/wine-test.sh only, answers ProcessPrng from Wine's
 * RtlGenRandom (advapi32 SystemFunction036). Never shipped; not used on real Windows. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
