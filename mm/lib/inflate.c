/*
 * inflate.c - gzip decompression (RFC 1952 container around RFC 1951
 * DEFLATE), for reading compressed boot modules.
 *
 * Algorithm. DEFLATE is a sequence of blocks; each is stored (raw bytes),
 * or a stream of Huffman-coded literals, end-of-block and (length, distance)
 * back-references, under a fixed code or a dynamic one sent in the block
 * header as code lengths (themselves Huffman-coded). Codes are canonical, so
 * a code is rebuilt from its lengths alone. Bits are read LSB first from a
 * 32-bit bit buffer refilled a word at a time; Huffman codes are sent
 * most-significant bit first, so a code of length L read from the buffer is
 * the bit-reversal of its canonical value.
 *
 * Decoding is table-driven: the next FASTBITS bits index a table whose entry
 * gives the symbol and its code length directly (every entry whose low L bits
 * are a code of length L <= FASTBITS holds that code). Longer codes, rare by
 * construction (a code of length L has frequency about 2^-L), fall back to a
 * canonical walk over the per-length code counts. The whole output is in
 * the caller's buffer, which serves as the history window.
 *
 * Safety: input past the end reads as zero bits ("padding") and is counted;
 * once a padding bit is consumed the stream is truncated, and that is checked
 * before any output is written. Every back-reference is checked against the
 * start of the member and the end of the buffer before it is copied.
 */
#include "inflate.h"
#include "fmt.h"
#include "mm_env.h"
#include "mmlib.h"

#define MAXBITS 15        /* longest Huffman code in DEFLATE */
#define NLITLEN 288       /* literal/length symbols (286, 287 never used) */
#define NDIST 32          /* distance symbols (30, 31 never used) */
#define NCLEN 19          /* code-length symbols */
#define LIT_FASTBITS 9
#define DIST_FASTBITS 8

/* gzip header (RFC 1952 section 2.3):
 *
 *   +----+----+----+-----+----+----+----+----+-----+----+
 *   |ID1 |ID2 | CM | FLG |      MTIME        | XFL | OS |   then, by FLG:
 *   |1f  |8b  | 08 |     |   (little end.)   |     |    |   FEXTRA: XLEN(2) + data
 *   +----+----+----+-----+----+----+----+----+-----+----+   FNAME, FCOMMENT: text, NUL
 *                                                           FHCRC: CRC-16 of header
 *   ... compressed blocks ... | CRC32 (4, LE) | ISIZE (4, LE) |
 */
#define GZ_ID1 0x1fu
#define GZ_ID2 0x8bu
#define GZ_CM_DEFLATE 8u
#define GZ_FTEXT 0x01u
#define GZ_FHCRC 0x02u
#define GZ_FEXTRA 0x04u
#define GZ_FNAME 0x08u
#define GZ_FCOMMENT 0x10u
#define GZ_FRESERVED 0xe0u
#define GZ_HEADER_MIN 10u
#define GZ_TRAILER 8u

/* A decoding table of one Huffman code. fast[] entries are sym << 4 | len,
 * 0 for "no code of length <= fastbits starts with these bits". */
struct huff {
	uint16_t *fast;
	uint16_t *sym;              /* symbols in canonical order */
	unsigned fastbits;
	uint16_t count[MAXBITS + 1]; /* number of codes of each length */
};

/* The input as a bit stream. */
struct bitin {
	const uint8_t *src;
	size_t n, pos;  /* src[pos] is the next byte to load */
	uint32_t buf;   /* nbits valid bits, next bit in bit 0 */
	unsigned nbits;
	unsigned pad;   /* zero bits added past the end of src */
};

struct inflater {
	struct bitin in;
	uint8_t *dst;
	size_t cap, out;
	size_t mstart;          /* where the current member's output begins */
	struct huff lit, dist;
	bool fixed_loaded;      /* lit/dist hold the fixed code */
	struct gz_error *err;
	uint16_t lit_fast[1u << LIT_FASTBITS];
	uint16_t dist_fast[1u << DIST_FASTBITS];
	uint16_t lit_sym[NLITLEN];
	uint16_t dist_sym[NDIST];
	uint8_t lens[NLITLEN + NDIST];
};

static const uint16_t len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};
/* The order in which code-length code lengths are sent. */
static const uint8_t clen_order[NCLEN] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* CRC-32 tables for slicing by 4: crc_table[0][b] is the CRC register
 * after shifting byte b through the reflected polynomial 0xedb88320 eight
 * times; crc_table[k][b] = (crc_table[k-1][b] >> 8) ^ crc_table[0][crc_table[k-1][b] & 0xff],
 * the effect of byte b followed by k zero bytes, so four bytes are folded in
 * with four independent lookups. */
static const uint32_t crc_table[4][256] = {
	{
		0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
		0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
		0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
		0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
		0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
		0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
		0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
		0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
		0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
		0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
		0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
		0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
		0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
		0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
		0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
		0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
		0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
		0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
		0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
		0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
		0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
		0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
		0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
		0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
		0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
		0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
		0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
		0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
		0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
		0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
		0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
		0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
		0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
		0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
		0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
		0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
		0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
		0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
		0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
		0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
		0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
		0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
		0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
	},
	{
		0x00000000u, 0x191b3141u, 0x32366282u, 0x2b2d53c3u, 0x646cc504u, 0x7d77f445u,
		0x565aa786u, 0x4f4196c7u, 0xc8d98a08u, 0xd1c2bb49u, 0xfaefe88au, 0xe3f4d9cbu,
		0xacb54f0cu, 0xb5ae7e4du, 0x9e832d8eu, 0x87981ccfu, 0x4ac21251u, 0x53d92310u,
		0x78f470d3u, 0x61ef4192u, 0x2eaed755u, 0x37b5e614u, 0x1c98b5d7u, 0x05838496u,
		0x821b9859u, 0x9b00a918u, 0xb02dfadbu, 0xa936cb9au, 0xe6775d5du, 0xff6c6c1cu,
		0xd4413fdfu, 0xcd5a0e9eu, 0x958424a2u, 0x8c9f15e3u, 0xa7b24620u, 0xbea97761u,
		0xf1e8e1a6u, 0xe8f3d0e7u, 0xc3de8324u, 0xdac5b265u, 0x5d5daeaau, 0x44469febu,
		0x6f6bcc28u, 0x7670fd69u, 0x39316baeu, 0x202a5aefu, 0x0b07092cu, 0x121c386du,
		0xdf4636f3u, 0xc65d07b2u, 0xed705471u, 0xf46b6530u, 0xbb2af3f7u, 0xa231c2b6u,
		0x891c9175u, 0x9007a034u, 0x179fbcfbu, 0x0e848dbau, 0x25a9de79u, 0x3cb2ef38u,
		0x73f379ffu, 0x6ae848beu, 0x41c51b7du, 0x58de2a3cu, 0xf0794f05u, 0xe9627e44u,
		0xc24f2d87u, 0xdb541cc6u, 0x94158a01u, 0x8d0ebb40u, 0xa623e883u, 0xbf38d9c2u,
		0x38a0c50du, 0x21bbf44cu, 0x0a96a78fu, 0x138d96ceu, 0x5ccc0009u, 0x45d73148u,
		0x6efa628bu, 0x77e153cau, 0xbabb5d54u, 0xa3a06c15u, 0x888d3fd6u, 0x91960e97u,
		0xded79850u, 0xc7cca911u, 0xece1fad2u, 0xf5facb93u, 0x7262d75cu, 0x6b79e61du,
		0x4054b5deu, 0x594f849fu, 0x160e1258u, 0x0f152319u, 0x243870dau, 0x3d23419bu,
		0x65fd6ba7u, 0x7ce65ae6u, 0x57cb0925u, 0x4ed03864u, 0x0191aea3u, 0x188a9fe2u,
		0x33a7cc21u, 0x2abcfd60u, 0xad24e1afu, 0xb43fd0eeu, 0x9f12832du, 0x8609b26cu,
		0xc94824abu, 0xd05315eau, 0xfb7e4629u, 0xe2657768u, 0x2f3f79f6u, 0x362448b7u,
		0x1d091b74u, 0x04122a35u, 0x4b53bcf2u, 0x52488db3u, 0x7965de70u, 0x607eef31u,
		0xe7e6f3feu, 0xfefdc2bfu, 0xd5d0917cu, 0xcccba03du, 0x838a36fau, 0x9a9107bbu,
		0xb1bc5478u, 0xa8a76539u, 0x3b83984bu, 0x2298a90au, 0x09b5fac9u, 0x10aecb88u,
		0x5fef5d4fu, 0x46f46c0eu, 0x6dd93fcdu, 0x74c20e8cu, 0xf35a1243u, 0xea412302u,
		0xc16c70c1u, 0xd8774180u, 0x9736d747u, 0x8e2de606u, 0xa500b5c5u, 0xbc1b8484u,
		0x71418a1au, 0x685abb5bu, 0x4377e898u, 0x5a6cd9d9u, 0x152d4f1eu, 0x0c367e5fu,
		0x271b2d9cu, 0x3e001cddu, 0xb9980012u, 0xa0833153u, 0x8bae6290u, 0x92b553d1u,
		0xddf4c516u, 0xc4eff457u, 0xefc2a794u, 0xf6d996d5u, 0xae07bce9u, 0xb71c8da8u,
		0x9c31de6bu, 0x852aef2au, 0xca6b79edu, 0xd37048acu, 0xf85d1b6fu, 0xe1462a2eu,
		0x66de36e1u, 0x7fc507a0u, 0x54e85463u, 0x4df36522u, 0x02b2f3e5u, 0x1ba9c2a4u,
		0x30849167u, 0x299fa026u, 0xe4c5aeb8u, 0xfdde9ff9u, 0xd6f3cc3au, 0xcfe8fd7bu,
		0x80a96bbcu, 0x99b25afdu, 0xb29f093eu, 0xab84387fu, 0x2c1c24b0u, 0x350715f1u,
		0x1e2a4632u, 0x07317773u, 0x4870e1b4u, 0x516bd0f5u, 0x7a468336u, 0x635db277u,
		0xcbfad74eu, 0xd2e1e60fu, 0xf9ccb5ccu, 0xe0d7848du, 0xaf96124au, 0xb68d230bu,
		0x9da070c8u, 0x84bb4189u, 0x03235d46u, 0x1a386c07u, 0x31153fc4u, 0x280e0e85u,
		0x674f9842u, 0x7e54a903u, 0x5579fac0u, 0x4c62cb81u, 0x8138c51fu, 0x9823f45eu,
		0xb30ea79du, 0xaa1596dcu, 0xe554001bu, 0xfc4f315au, 0xd7626299u, 0xce7953d8u,
		0x49e14f17u, 0x50fa7e56u, 0x7bd72d95u, 0x62cc1cd4u, 0x2d8d8a13u, 0x3496bb52u,
		0x1fbbe891u, 0x06a0d9d0u, 0x5e7ef3ecu, 0x4765c2adu, 0x6c48916eu, 0x7553a02fu,
		0x3a1236e8u, 0x230907a9u, 0x0824546au, 0x113f652bu, 0x96a779e4u, 0x8fbc48a5u,
		0xa4911b66u, 0xbd8a2a27u, 0xf2cbbce0u, 0xebd08da1u, 0xc0fdde62u, 0xd9e6ef23u,
		0x14bce1bdu, 0x0da7d0fcu, 0x268a833fu, 0x3f91b27eu, 0x70d024b9u, 0x69cb15f8u,
		0x42e6463bu, 0x5bfd777au, 0xdc656bb5u, 0xc57e5af4u, 0xee530937u, 0xf7483876u,
		0xb809aeb1u, 0xa1129ff0u, 0x8a3fcc33u, 0x9324fd72u,
	},
	{
		0x00000000u, 0x01c26a37u, 0x0384d46eu, 0x0246be59u, 0x0709a8dcu, 0x06cbc2ebu,
		0x048d7cb2u, 0x054f1685u, 0x0e1351b8u, 0x0fd13b8fu, 0x0d9785d6u, 0x0c55efe1u,
		0x091af964u, 0x08d89353u, 0x0a9e2d0au, 0x0b5c473du, 0x1c26a370u, 0x1de4c947u,
		0x1fa2771eu, 0x1e601d29u, 0x1b2f0bacu, 0x1aed619bu, 0x18abdfc2u, 0x1969b5f5u,
		0x1235f2c8u, 0x13f798ffu, 0x11b126a6u, 0x10734c91u, 0x153c5a14u, 0x14fe3023u,
		0x16b88e7au, 0x177ae44du, 0x384d46e0u, 0x398f2cd7u, 0x3bc9928eu, 0x3a0bf8b9u,
		0x3f44ee3cu, 0x3e86840bu, 0x3cc03a52u, 0x3d025065u, 0x365e1758u, 0x379c7d6fu,
		0x35dac336u, 0x3418a901u, 0x3157bf84u, 0x3095d5b3u, 0x32d36beau, 0x331101ddu,
		0x246be590u, 0x25a98fa7u, 0x27ef31feu, 0x262d5bc9u, 0x23624d4cu, 0x22a0277bu,
		0x20e69922u, 0x2124f315u, 0x2a78b428u, 0x2bbade1fu, 0x29fc6046u, 0x283e0a71u,
		0x2d711cf4u, 0x2cb376c3u, 0x2ef5c89au, 0x2f37a2adu, 0x709a8dc0u, 0x7158e7f7u,
		0x731e59aeu, 0x72dc3399u, 0x7793251cu, 0x76514f2bu, 0x7417f172u, 0x75d59b45u,
		0x7e89dc78u, 0x7f4bb64fu, 0x7d0d0816u, 0x7ccf6221u, 0x798074a4u, 0x78421e93u,
		0x7a04a0cau, 0x7bc6cafdu, 0x6cbc2eb0u, 0x6d7e4487u, 0x6f38fadeu, 0x6efa90e9u,
		0x6bb5866cu, 0x6a77ec5bu, 0x68315202u, 0x69f33835u, 0x62af7f08u, 0x636d153fu,
		0x612bab66u, 0x60e9c151u, 0x65a6d7d4u, 0x6464bde3u, 0x662203bau, 0x67e0698du,
		0x48d7cb20u, 0x4915a117u, 0x4b531f4eu, 0x4a917579u, 0x4fde63fcu, 0x4e1c09cbu,
		0x4c5ab792u, 0x4d98dda5u, 0x46c49a98u, 0x4706f0afu, 0x45404ef6u, 0x448224c1u,
		0x41cd3244u, 0x400f5873u, 0x4249e62au, 0x438b8c1du, 0x54f16850u, 0x55330267u,
		0x5775bc3eu, 0x56b7d609u, 0x53f8c08cu, 0x523aaabbu, 0x507c14e2u, 0x51be7ed5u,
		0x5ae239e8u, 0x5b2053dfu, 0x5966ed86u, 0x58a487b1u, 0x5deb9134u, 0x5c29fb03u,
		0x5e6f455au, 0x5fad2f6du, 0xe1351b80u, 0xe0f771b7u, 0xe2b1cfeeu, 0xe373a5d9u,
		0xe63cb35cu, 0xe7fed96bu, 0xe5b86732u, 0xe47a0d05u, 0xef264a38u, 0xeee4200fu,
		0xeca29e56u, 0xed60f461u, 0xe82fe2e4u, 0xe9ed88d3u, 0xebab368au, 0xea695cbdu,
		0xfd13b8f0u, 0xfcd1d2c7u, 0xfe976c9eu, 0xff5506a9u, 0xfa1a102cu, 0xfbd87a1bu,
		0xf99ec442u, 0xf85cae75u, 0xf300e948u, 0xf2c2837fu, 0xf0843d26u, 0xf1465711u,
		0xf4094194u, 0xf5cb2ba3u, 0xf78d95fau, 0xf64fffcdu, 0xd9785d60u, 0xd8ba3757u,
		0xdafc890eu, 0xdb3ee339u, 0xde71f5bcu, 0xdfb39f8bu, 0xddf521d2u, 0xdc374be5u,
		0xd76b0cd8u, 0xd6a966efu, 0xd4efd8b6u, 0xd52db281u, 0xd062a404u, 0xd1a0ce33u,
		0xd3e6706au, 0xd2241a5du, 0xc55efe10u, 0xc49c9427u, 0xc6da2a7eu, 0xc7184049u,
		0xc25756ccu, 0xc3953cfbu, 0xc1d382a2u, 0xc011e895u, 0xcb4dafa8u, 0xca8fc59fu,
		0xc8c97bc6u, 0xc90b11f1u, 0xcc440774u, 0xcd866d43u, 0xcfc0d31au, 0xce02b92du,
		0x91af9640u, 0x906dfc77u, 0x922b422eu, 0x93e92819u, 0x96a63e9cu, 0x976454abu,
		0x9522eaf2u, 0x94e080c5u, 0x9fbcc7f8u, 0x9e7eadcfu, 0x9c381396u, 0x9dfa79a1u,
		0x98b56f24u, 0x99770513u, 0x9b31bb4au, 0x9af3d17du, 0x8d893530u, 0x8c4b5f07u,
		0x8e0de15eu, 0x8fcf8b69u, 0x8a809decu, 0x8b42f7dbu, 0x89044982u, 0x88c623b5u,
		0x839a6488u, 0x82580ebfu, 0x801eb0e6u, 0x81dcdad1u, 0x8493cc54u, 0x8551a663u,
		0x8717183au, 0x86d5720du, 0xa9e2d0a0u, 0xa820ba97u, 0xaa6604ceu, 0xaba46ef9u,
		0xaeeb787cu, 0xaf29124bu, 0xad6fac12u, 0xacadc625u, 0xa7f18118u, 0xa633eb2fu,
		0xa4755576u, 0xa5b73f41u, 0xa0f829c4u, 0xa13a43f3u, 0xa37cfdaau, 0xa2be979du,
		0xb5c473d0u, 0xb40619e7u, 0xb640a7beu, 0xb782cd89u, 0xb2cddb0cu, 0xb30fb13bu,
		0xb1490f62u, 0xb08b6555u, 0xbbd72268u, 0xba15485fu, 0xb853f606u, 0xb9919c31u,
		0xbcde8ab4u, 0xbd1ce083u, 0xbf5a5edau, 0xbe9834edu,
	},
	{
		0x00000000u, 0xb8bc6765u, 0xaa09c88bu, 0x12b5afeeu, 0x8f629757u, 0x37def032u,
		0x256b5fdcu, 0x9dd738b9u, 0xc5b428efu, 0x7d084f8au, 0x6fbde064u, 0xd7018701u,
		0x4ad6bfb8u, 0xf26ad8ddu, 0xe0df7733u, 0x58631056u, 0x5019579fu, 0xe8a530fau,
		0xfa109f14u, 0x42acf871u, 0xdf7bc0c8u, 0x67c7a7adu, 0x75720843u, 0xcdce6f26u,
		0x95ad7f70u, 0x2d111815u, 0x3fa4b7fbu, 0x8718d09eu, 0x1acfe827u, 0xa2738f42u,
		0xb0c620acu, 0x087a47c9u, 0xa032af3eu, 0x188ec85bu, 0x0a3b67b5u, 0xb28700d0u,
		0x2f503869u, 0x97ec5f0cu, 0x8559f0e2u, 0x3de59787u, 0x658687d1u, 0xdd3ae0b4u,
		0xcf8f4f5au, 0x7733283fu, 0xeae41086u, 0x525877e3u, 0x40edd80du, 0xf851bf68u,
		0xf02bf8a1u, 0x48979fc4u, 0x5a22302au, 0xe29e574fu, 0x7f496ff6u, 0xc7f50893u,
		0xd540a77du, 0x6dfcc018u, 0x359fd04eu, 0x8d23b72bu, 0x9f9618c5u, 0x272a7fa0u,
		0xbafd4719u, 0x0241207cu, 0x10f48f92u, 0xa848e8f7u, 0x9b14583du, 0x23a83f58u,
		0x311d90b6u, 0x89a1f7d3u, 0x1476cf6au, 0xaccaa80fu, 0xbe7f07e1u, 0x06c36084u,
		0x5ea070d2u, 0xe61c17b7u, 0xf4a9b859u, 0x4c15df3cu, 0xd1c2e785u, 0x697e80e0u,
		0x7bcb2f0eu, 0xc377486bu, 0xcb0d0fa2u, 0x73b168c7u, 0x6104c729u, 0xd9b8a04cu,
		0x446f98f5u, 0xfcd3ff90u, 0xee66507eu, 0x56da371bu, 0x0eb9274du, 0xb6054028u,
		0xa4b0efc6u, 0x1c0c88a3u, 0x81dbb01au, 0x3967d77fu, 0x2bd27891u, 0x936e1ff4u,
		0x3b26f703u, 0x839a9066u, 0x912f3f88u, 0x299358edu, 0xb4446054u, 0x0cf80731u,
		0x1e4da8dfu, 0xa6f1cfbau, 0xfe92dfecu, 0x462eb889u, 0x549b1767u, 0xec277002u,
		0x71f048bbu, 0xc94c2fdeu, 0xdbf98030u, 0x6345e755u, 0x6b3fa09cu, 0xd383c7f9u,
		0xc1366817u, 0x798a0f72u, 0xe45d37cbu, 0x5ce150aeu, 0x4e54ff40u, 0xf6e89825u,
		0xae8b8873u, 0x1637ef16u, 0x048240f8u, 0xbc3e279du, 0x21e91f24u, 0x99557841u,
		0x8be0d7afu, 0x335cb0cau, 0xed59b63bu, 0x55e5d15eu, 0x47507eb0u, 0xffec19d5u,
		0x623b216cu, 0xda874609u, 0xc832e9e7u, 0x708e8e82u, 0x28ed9ed4u, 0x9051f9b1u,
		0x82e4565fu, 0x3a58313au, 0xa78f0983u, 0x1f336ee6u, 0x0d86c108u, 0xb53aa66du,
		0xbd40e1a4u, 0x05fc86c1u, 0x1749292fu, 0xaff54e4au, 0x322276f3u, 0x8a9e1196u,
		0x982bbe78u, 0x2097d91du, 0x78f4c94bu, 0xc048ae2eu, 0xd2fd01c0u, 0x6a4166a5u,
		0xf7965e1cu, 0x4f2a3979u, 0x5d9f9697u, 0xe523f1f2u, 0x4d6b1905u, 0xf5d77e60u,
		0xe762d18eu, 0x5fdeb6ebu, 0xc2098e52u, 0x7ab5e937u, 0x680046d9u, 0xd0bc21bcu,
		0x88df31eau, 0x3063568fu, 0x22d6f961u, 0x9a6a9e04u, 0x07bda6bdu, 0xbf01c1d8u,
		0xadb46e36u, 0x15080953u, 0x1d724e9au, 0xa5ce29ffu, 0xb77b8611u, 0x0fc7e174u,
		0x9210d9cdu, 0x2aacbea8u, 0x38191146u, 0x80a57623u, 0xd8c66675u, 0x607a0110u,
		0x72cfaefeu, 0xca73c99bu, 0x57a4f122u, 0xef189647u, 0xfdad39a9u, 0x45115eccu,
		0x764dee06u, 0xcef18963u, 0xdc44268du, 0x64f841e8u, 0xf92f7951u, 0x41931e34u,
		0x5326b1dau, 0xeb9ad6bfu, 0xb3f9c6e9u, 0x0b45a18cu, 0x19f00e62u, 0xa14c6907u,
		0x3c9b51beu, 0x842736dbu, 0x96929935u, 0x2e2efe50u, 0x2654b999u, 0x9ee8defcu,
		0x8c5d7112u, 0x34e11677u, 0xa9362eceu, 0x118a49abu, 0x033fe645u, 0xbb838120u,
		0xe3e09176u, 0x5b5cf613u, 0x49e959fdu, 0xf1553e98u, 0x6c820621u, 0xd43e6144u,
		0xc68bceaau, 0x7e37a9cfu, 0xd67f4138u, 0x6ec3265du, 0x7c7689b3u, 0xc4caeed6u,
		0x591dd66fu, 0xe1a1b10au, 0xf3141ee4u, 0x4ba87981u, 0x13cb69d7u, 0xab770eb2u,
		0xb9c2a15cu, 0x017ec639u, 0x9ca9fe80u, 0x241599e5u, 0x36a0360bu, 0x8e1c516eu,
		0x866616a7u, 0x3eda71c2u, 0x2c6fde2cu, 0x94d3b949u, 0x090481f0u, 0xb1b8e695u,
		0xa30d497bu, 0x1bb12e1eu, 0x43d23e48u, 0xfb6e592du, 0xe9dbf6c3u, 0x516791a6u,
		0xccb0a91fu, 0x740cce7au, 0x66b96194u, 0xde0506f1u,
	},
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t gz_crc32(uint32_t crc, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	crc = ~crc;
	for (; n >= 4; n -= 4, p += 4) {
		crc ^= get_le32(p);
		crc = crc_table[3][crc & 0xffu] ^ crc_table[2][(crc >> 8) & 0xffu] ^
		      crc_table[1][(crc >> 16) & 0xffu] ^ crc_table[0][crc >> 24];
	}
	for (; n; n--, p++)
		crc = crc_table[0][(crc ^ *p) & 0xffu] ^ (crc >> 8);
	return ~crc;
}

/* ---- the bit stream ---- */

/* Make at least 24 bits available (zero bits past the end of the input). */
static inline void bits_refill(struct bitin *b)
{
	if (b->n - b->pos >= 4) {
		/* Load a word; keep the whole bytes that fit. Bits of a partly
		 * fitting byte land above nbits and are ORed in again, equal,
		 * by the next refill. */
		b->buf |= get_le32(b->src + b->pos) << b->nbits;
		b->pos += (31u - b->nbits) >> 3;
		b->nbits |= 24u;
		return;
	}
	while (b->nbits < 24u) {
		if (b->pos < b->n)
			b->buf |= (uint32_t)b->src[b->pos++] << b->nbits;
		else
			b->pad += 8u;
		b->nbits += 8u;
	}
}

/* Take k <= 24 bits, after a refill. */
static inline unsigned bits_take(struct bitin *b, unsigned k)
{
	unsigned v = b->buf & ((1u << k) - 1u);
	b->buf >>= k;
	b->nbits -= k;
	return v;
}

/* Has a bit from past the end of the input been consumed? */
static inline bool bits_overrun(const struct bitin *b)
{
	return b->nbits < b->pad;
}

/* The offset of the byte holding the next unread bit (for messages). */
static size_t bits_offset(const struct bitin *b)
{
	if (bits_overrun(b)) return b->n;
	return b->pos - (b->nbits - b->pad + 7u) / 8u;
}

/* Start reading bits at byte offset at. */
static void bits_start(struct bitin *b, size_t at)
{
	b->pos = at;
	b->buf = 0;
	b->nbits = 0;
	b->pad = 0;
}

/* Skip to the next byte boundary; returns the offset of the first byte not
 * consumed, or -1 if the stream ran out. The buffer is emptied. */
static long long bits_align(struct bitin *b)
{
	if (bits_overrun(b)) return -1;
	size_t at = b->pos - (b->nbits - b->pad) / 8u;
	bits_start(b, at);
	return (long long)at;
}

/* ---- errors ---- */

static int fail(struct inflater *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why decoding stopped. Running out of input explains any symptom
 * that follows, so it wins over the message given. */
static int fail(struct inflater *z, const char *fmt, ...)
{
	if (!z->err) return -MM_EINVAL;
	if (bits_overrun(&z->in)) {
		mm_snprintf(z->err->msg, sizeof z->err->msg, "truncated stream");
		return -MM_EINVAL;
	}
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(z->err->msg, sizeof z->err->msg, fmt, ap);
	va_end(ap);
	return -MM_EINVAL;
}

static int fail_truncated(struct inflater *z)
{
	return fail(z, "truncated stream");
}

static int fail_too_big(struct inflater *z)
{
	return fail(z, "output larger than the buffer (%zu bytes)", z->cap);
}

/* ---- Huffman tables ---- */

/* The low len bits of code, reversed. */
static unsigned reverse_bits(unsigned code, unsigned len)
{
	unsigned r = 0;
	for (unsigned i = 0; i < len; i++, code >>= 1)
		r = (r << 1) | (code & 1u);
	return r;
}

/* Fill the fast table from the canonical code: codes are assigned in
 * (length, symbol) order, the first code of length L+1 being (the last code
 * of length L + 1) << 1. */
static void huff_fill_fast(struct huff *h)
{
	unsigned size = 1u << h->fastbits, code = 0, idx = 0;
	mm_memset(h->fast, 0, size * sizeof h->fast[0]);
	for (unsigned len = 1; len <= h->fastbits; len++) {
		for (unsigned k = 0; k < h->count[len]; k++, idx++, code++) {
			uint16_t e = (uint16_t)(h->sym[idx] << 4 | len);
			for (unsigned j = reverse_bits(code, len); j < size; j += 1u << len)
				h->fast[j] = e;
		}
		code <<= 1;
	}
}

/*
 * Build h for the code given by lens[0..nsym) (0 = symbol unused). Returns
 * 0, or -1 when the lengths over-subscribe the code space, or leave it
 * incomplete: only allowed (if partial_ok) for no code at all or a single
 * code of one bit, as DEFLATE encoders emit for a block with at most one
 * distance.
 */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned nsym, bool partial_ok)
{
	uint16_t offs[MAXBITS + 2];
	mm_memset(h->count, 0, sizeof h->count);
	for (unsigned s = 0; s < nsym; s++) h->count[lens[s]]++;
	h->count[0] = 0;

	int left = 1;
	unsigned used = 0;
	for (unsigned len = 1; len <= MAXBITS; len++) {
		left = left * 2 - h->count[len];
		if (left < 0) return -1;
		used += h->count[len];
	}
	if (left > 0 && !(partial_ok && (used == 0 || (used == 1 && h->count[1] == 1))))
		return -1;

	offs[1] = 0;
	for (unsigned len = 1; len <= MAXBITS; len++)
		offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
	for (unsigned s = 0; s < nsym; s++)
		if (lens[s]) h->sym[offs[lens[s]]++] = (uint16_t)s;
	huff_fill_fast(h);
	return 0;
}

/* Decode a code longer than the fast table (or an invalid one) from the bits
 * in buf by the canonical walk. Returns sym << 4 | len, or -1. */
static int huff_decode_slow(const struct huff *h, uint32_t buf)
{
	unsigned code = 0, first = 0, index = 0;
	for (unsigned len = 1; len <= MAXBITS; len++) {
		code |= buf & 1u;
		buf >>= 1;
		unsigned count = h->count[len];
		if (code - first < count)
			return (int)(h->sym[index + code - first] << 4 | len);
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/* Decode one symbol (needs 15 bits in the buffer). Returns it, or -1. */
static inline int huff_decode(const struct huff *h, struct bitin *b)
{
	int e = h->fast[b->buf & ((1u << h->fastbits) - 1u)];
	if (!e) {
		e = huff_decode_slow(h, b->buf);
		if (e < 0) return -1;
	}
	bits_take(b, (unsigned)e & 15u);
	return e >> 4;
}

static void load_fixed(struct inflater *z)
{
	uint8_t *l = z->lens;
	unsigned s = 0;
	for (; s < 144; s++) l[s] = 8;
	for (; s < 256; s++) l[s] = 9;
	for (; s < 280; s++) l[s] = 7;
	for (; s < NLITLEN; s++) l[s] = 8;
	for (s = 0; s < NDIST; s++) l[NLITLEN + s] = 5;
	int rl = huff_build(&z->lit, l, NLITLEN, false);
	int rd = huff_build(&z->dist, l + NLITLEN, NDIST, false);
	MM_ASSERT(rl == 0 && rd == 0, "fixed code rejected: %d %d", rl, rd);
	z->fixed_loaded = true;
}

/* Read a dynamic block's code lengths (RFC 1951 3.2.7) and build lit/dist. */
static int load_dynamic(struct inflater *z)
{
	struct bitin *b = &z->in;
	uint8_t clen[NCLEN];

	z->fixed_loaded = false;
	bits_refill(b);
	unsigned nlit = bits_take(b, 5) + 257u;
	unsigned ndist = bits_take(b, 5) + 1u;
	unsigned nclen = bits_take(b, 4) + 4u;
	if (nlit > 286 || ndist > 30)
		return fail(z, "too many length or distance codes (%u, %u) at byte %zu", nlit,
			    ndist, bits_offset(b));
	mm_memset(clen, 0, sizeof clen);
	for (unsigned i = 0; i < nclen; i++) {
		bits_refill(b);
		clen[clen_order[i]] = (uint8_t)bits_take(b, 3);
	}
	/* The code-length code is decoded through the distance table. */
	if (huff_build(&z->dist, clen, NCLEN, false) < 0)
		return fail(z, "bad code-length code at byte %zu", bits_offset(b));

	for (unsigned i = 0; i < nlit + ndist;) {
		bits_refill(b);
		int sym = huff_decode(&z->dist, b);
		unsigned rep, val = 0;
		if (sym < 0) return fail(z, "bad code-length symbol at byte %zu", bits_offset(b));
		if (sym < 16) {
			z->lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return fail(z, "length repeat with no previous length at byte %zu",
					    bits_offset(b));
			val = z->lens[i - 1];
			rep = 3u + bits_take(b, 2);
		} else if (sym == 17) {
			rep = 3u + bits_take(b, 3);
		} else {
			rep = 11u + bits_take(b, 7);
		}
		if (rep > nlit + ndist - i)
			return fail(z, "code lengths run past the end at byte %zu", bits_offset(b));
		while (rep--) z->lens[i++] = (uint8_t)val;
	}
	if (bits_overrun(b)) return fail_truncated(z);
	if (z->lens[256] == 0)
		return fail(z, "no end-of-block code at byte %zu", bits_offset(b));
	if (huff_build(&z->lit, z->lens, nlit, true) < 0)
		return fail(z, "bad literal/length code lengths at byte %zu", bits_offset(b));
	if (huff_build(&z->dist, z->lens + nlit, ndist, true) < 0)
		return fail(z, "bad distance code lengths at byte %zu", bits_offset(b));
	return 0;
}

/* ---- blocks ---- */

/* A 32-bit word at any address: the compiler emits a plain move (x86
 * allows unaligned access) and makes no aliasing assumptions about it. */
typedef uint32_t __attribute__((aligned(1), may_alias)) word_any;

/* Copy a back-reference of len bytes from dist bytes back. When dist < len
 * the source overlaps the bytes being written (a run): byte order matters,
 * and words are used only when every byte of a word is already final. */
static inline void copy_match(uint8_t *d, size_t dist, unsigned len)
{
	const uint8_t *s = d - dist;
	if (dist >= 4) {
		for (; len >= 4; len -= 4, d += 4, s += 4)
			*(word_any *)d = *(const word_any *)s;
	} else if (dist == 1) {
		uint8_t c = *s;
		for (unsigned i = 0; i < len; i++) d[i] = c;
		return;
	}
	for (unsigned i = 0; i < len; i++) d[i] = s[i];
}

/*
 * Decode the symbols of a Huffman-coded block up to its end-of-block. The bit
 * stream and output position are kept in locals here: stores to the output
 * could otherwise alias them, and this loop is where all the time goes.
 */
static int inflate_codes(struct inflater *z)
{
	struct bitin b = z->in;
	uint8_t *dst = z->dst;
	size_t out = z->out;
	const size_t cap = z->cap, mstart = z->mstart;
	int rc = 0;

	for (;;) {
		bits_refill(&b);
		int sym = huff_decode(&z->lit, &b);
		if (bits_overrun(&b)) goto truncated;
		if ((unsigned)sym < 256u) {
			if (out == cap) goto too_big;
			dst[out++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256) break;
		if (sym < 0 || sym > 285) {
			z->in = b;
			rc = fail(z, "bad literal/length code at byte %zu", bits_offset(&b));
			goto done;
		}
		sym -= 257;
		unsigned len = len_base[sym] + bits_take(&b, len_extra[sym]);
		bits_refill(&b);
		int dsym = huff_decode(&z->dist, &b);
		if (dsym < 0 || dsym >= 30) {
			z->in = b;
			rc = fail(z, "bad distance code at byte %zu", bits_offset(&b));
			goto done;
		}
		bits_refill(&b);
		size_t dist = dist_base[dsym] + bits_take(&b, dist_extra[dsym]);
		if (bits_overrun(&b)) goto truncated;
		if (dist > out - mstart) {
			z->in = b;
			rc = fail(z, "distance %zu too far back (%zu bytes out) at byte %zu", dist,
				  out - mstart, bits_offset(&b));
			goto done;
		}
		if (len > cap - out) goto too_big;
		copy_match(dst + out, dist, len);
		out += len;
	}
	goto done;
truncated:
	z->in = b;
	rc = fail_truncated(z);
	goto done;
too_big:
	z->in = b;
	rc = fail_too_big(z);
done:
	z->in = b;
	z->out = out;
	return rc;
}

/* A stored block: after the header bits, LEN and NLEN = ~LEN (16-bit LE) on
 * a byte boundary, then LEN raw bytes. */
static int inflate_stored(struct inflater *z)
{
	struct bitin *b = &z->in;
	long long at = bits_align(b);
	if (at < 0) return fail_truncated(z);
	size_t p = (size_t)at;
	if (b->n - p < 4) return fail_truncated(z);
	unsigned len = b->src[p] | (unsigned)b->src[p + 1] << 8;
	unsigned nlen = b->src[p + 2] | (unsigned)b->src[p + 3] << 8;
	if (len != (~nlen & 0xffffu))
		return fail(z, "stored block length check failed at byte %zu", p);
	p += 4;
	if (b->n - p < len) return fail_truncated(z);
	if (z->cap - z->out < len) return fail_too_big(z);
	if (len) mm_memcpy(z->dst + z->out, b->src + p, len); /* (dst may be NULL if cap is 0) */
	z->out += len;
	bits_start(b, p + len);
	return 0;
}

/* Decode the deflate blocks of one member, up to and including the last. */
static int inflate_blocks(struct inflater *z)
{
	struct bitin *b = &z->in;
	unsigned last;
	int rc;
	do {
		bits_refill(b);
		size_t at = bits_offset(b);
		last = bits_take(b, 1);
		unsigned type = bits_take(b, 2);
		if (bits_overrun(b)) return fail_truncated(z);
		switch (type) {
		case 0:
			rc = inflate_stored(z);
			break;
		case 1:
			if (!z->fixed_loaded) load_fixed(z);
			rc = inflate_codes(z);
			break;
		case 2:
			rc = load_dynamic(z);
			if (rc == 0) rc = inflate_codes(z);
			break;
		default:
			rc = fail(z, "bad block type 3 at byte %zu", at);
			break;
		}
		if (rc < 0) return rc;
	} while (!last);
	return 0;
}

/* ---- the gzip container ---- */

/* Skip a NUL-terminated header field starting at *at. */
static int skip_string(struct inflater *z, size_t *at)
{
	const uint8_t *p = z->in.src;
	size_t i = *at;
	while (i < z->in.n && p[i]) i++;
	if (i == z->in.n) return fail_truncated(z);
	*at = i + 1;
	return 0;
}

/* Parse the member header at byte at; *body is where its blocks begin. */
static int read_header(struct inflater *z, size_t at, size_t *body)
{
	const uint8_t *p = z->in.src;
	size_t n = z->in.n, i = at + GZ_HEADER_MIN;
	if (at == n || p[at] != GZ_ID1 || (n - at > 1 && p[at + 1] != GZ_ID2)) {
		if (at > 0) return fail(z, "trailing garbage at byte %zu", at);
		return fail(z, "not a gzip stream (no gzip magic)");
	}
	if (n - at < GZ_HEADER_MIN) return fail_truncated(z);
	if (p[at + 2] != GZ_CM_DEFLATE)
		return fail(z, "unknown compression method %u at byte %zu", p[at + 2], at + 2);
	unsigned flg = p[at + 3];
	if (flg & GZ_FRESERVED)
		return fail(z, "reserved gzip header flags 0x%x at byte %zu", flg, at + 3);
	if (flg & GZ_FEXTRA) {
		if (n - i < 2) return fail_truncated(z);
		size_t xlen = p[i] | (size_t)p[i + 1] << 8;
		i += 2;
		if (n - i < xlen) return fail_truncated(z);
		i += xlen;
	}
	if ((flg & GZ_FNAME) && skip_string(z, &i) < 0) return -MM_EINVAL;
	if ((flg & GZ_FCOMMENT) && skip_string(z, &i) < 0) return -MM_EINVAL;
	if (flg & GZ_FHCRC) {
		if (n - i < 2) return fail_truncated(z);
		unsigned want = p[i] | (unsigned)p[i + 1] << 8;
		unsigned got = gz_crc32(0, p + at, i - at) & 0xffffu;
		if (got != want)
			return fail(z, "header CRC mismatch at byte %zu (0x%04x, stored 0x%04x)", i,
				    got, want);
		i += 2;
	}
	*body = i;
	return 0;
}

/* Check a member's trailer at byte at against what was decoded. */
static int check_trailer(struct inflater *z, size_t at)
{
	const uint8_t *p = z->in.src + at;
	if (z->in.n - at < GZ_TRAILER) return fail_truncated(z);
	size_t len = z->out - z->mstart;
	uint32_t want = get_le32(p), got = len ? gz_crc32(0, z->dst + z->mstart, len) : 0;
	if (got != want)
		return fail(z, "CRC mismatch at byte %zu (0x%08x, stored 0x%08x)", at,
			    (unsigned)got, (unsigned)want);
	if (get_le32(p + 4) != (uint32_t)len)
		return fail(z, "length mismatch at byte %zu (%zu, stored %u)", at + 4, len,
			    (unsigned)get_le32(p + 4));
	return 0;
}

/* Decompress the member at byte at; *next is the byte after its trailer. */
static int inflate_member(struct inflater *z, size_t at, size_t *next)
{
	size_t body = 0;
	int rc = read_header(z, at, &body);
	if (rc < 0) return rc;
	z->mstart = z->out;
	bits_start(&z->in, body);
	rc = inflate_blocks(z);
	if (rc < 0) return rc;
	long long end = bits_align(&z->in);
	if (end < 0) return fail_truncated(z);
	rc = check_trailer(z, (size_t)end);
	if (rc < 0) return rc;
	*next = (size_t)end + GZ_TRAILER;
	return 0;
}

/* Is src[at..n) all zero bytes (padding after the last member)? */
static bool all_zero(const uint8_t *src, size_t at, size_t n)
{
	for (; at < n; at++)
		if (src[at]) return false;
	return true;
}

int gz_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out_len,
	       struct gz_error *err)
{
	struct inflater z;
	size_t at = 0;
	int rc = 0;

	z.in.src = src;
	z.in.n = n;
	bits_start(&z.in, 0);
	z.dst = dst;
	z.cap = cap;
	z.out = 0;
	z.mstart = 0;
	z.err = err;
	z.fixed_loaded = false;
	z.lit.fast = z.lit_fast;
	z.lit.sym = z.lit_sym;
	z.lit.fastbits = LIT_FASTBITS;
	z.dist.fast = z.dist_fast;
	z.dist.sym = z.dist_sym;
	z.dist.fastbits = DIST_FASTBITS;
	if (err) err->msg[0] = 0;

	if ((!src && n) || (!dst && cap)) {
		rc = fail(&z, "bad arguments");
	} else {
		do {
			rc = inflate_member(&z, at, &at);
		} while (rc == 0 && at < n && !all_zero(z.in.src, at, n));
	}
	if (out_len) *out_len = z.out;
	return rc;
}

bool gz_is_gzip(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	return p && n >= GZ_HEADER_MIN + GZ_TRAILER && p[0] == GZ_ID1 && p[1] == GZ_ID2 &&
	       p[2] == GZ_CM_DEFLATE && !(p[3] & GZ_FRESERVED);
}

int gz_peek_size(const void *buf, size_t n, uint32_t *isize)
{
	if (!gz_is_gzip(buf, n)) return -MM_EINVAL;
	*isize = get_le32((const uint8_t *)buf + n - 4);
	return 0;
}
