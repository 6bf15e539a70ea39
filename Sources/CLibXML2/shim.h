#ifndef TRAWL_CLIBXML2_SHIM_H
#define TRAWL_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, so libxml/encoding.h would include the system's
   <unicode/ucnv.h>, whose enums clash with the ICU copy inside swift-foundation
   (_FoundationICU) in any module that also imports Foundation. Trawl never touches the
   ICU converter fields of xmlCharEncodingHandler (only pointers to it), so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#endif
