// Error correction: how the data codewords are split into blocks, the Reed-Solomon codewords
// computed for each block, and the interleaving of both into the final codeword sequence.

extension QRCode {
    /// How a version's codewords divide at level M (ISO/IEC 18004 Table 9).
    ///
    /// Error correction works per block, so that a smudge destroys a few codewords in
    /// each of several blocks rather than many in one; each block can repair up to half its
    /// error correction codewords.
    struct BlockLayout: Equatable {
        /// All codewords the symbol holds (data plus error correction).
        let totalCodewords: Int
        /// Error correction codewords appended to every block.
        let eccCodewordsPerBlock: Int
        /// Number of blocks; when the data does not divide evenly, the later blocks
        /// ("long" blocks) take one data codeword more.
        let blockCount: Int

        var dataCodewords: Int { totalCodewords - eccCodewordsPerBlock * blockCount }

        /// The level M layout of `version` (1...10).
        static func levelM(version: Int) -> BlockLayout {
            levelMLayouts[version - 1]
        }

        /// Level M, versions 1 to 10, in order. Data codewords per block, for checking
        /// against the standard: 16 | 28 | 44 | 2×32 | 2×43 | 4×27 | 4×31 | 2×38+2×39 |
        /// 3×36+2×37 | 4×43+1×44.
        private static let levelMLayouts: [BlockLayout] = [
            BlockLayout(totalCodewords: 26, eccCodewordsPerBlock: 10, blockCount: 1),
            BlockLayout(totalCodewords: 44, eccCodewordsPerBlock: 16, blockCount: 1),
            BlockLayout(totalCodewords: 70, eccCodewordsPerBlock: 26, blockCount: 1),
            BlockLayout(totalCodewords: 100, eccCodewordsPerBlock: 18, blockCount: 2),
            BlockLayout(totalCodewords: 134, eccCodewordsPerBlock: 24, blockCount: 2),
            BlockLayout(totalCodewords: 172, eccCodewordsPerBlock: 16, blockCount: 4),
            BlockLayout(totalCodewords: 196, eccCodewordsPerBlock: 18, blockCount: 4),
            BlockLayout(totalCodewords: 242, eccCodewordsPerBlock: 22, blockCount: 4),
            BlockLayout(totalCodewords: 292, eccCodewordsPerBlock: 22, blockCount: 5),
            BlockLayout(totalCodewords: 346, eccCodewordsPerBlock: 26, blockCount: 5),
        ]
    }

    /// Splits the data codewords into the layout's blocks, appends each block's error
    /// correction codewords, and interleaves: first data codeword of every block, then the
    /// second, and so on (short blocks drop out at the end), then the error correction
    /// codewords the same way.
    static func finalCodewords(data: [UInt8], layout: BlockLayout) -> [UInt8] {
        let shortLength = data.count / layout.blockCount
        let shortBlockCount = layout.blockCount - data.count % layout.blockCount
        var blocks: [ArraySlice<UInt8>] = []
        var start = data.startIndex
        for index in 0..<layout.blockCount {
            let length = shortLength + (index < shortBlockCount ? 0 : 1)
            blocks.append(data[start..<(start + length)])
            start += length
        }
        let generator = ReedSolomon.generator(degree: layout.eccCodewordsPerBlock)
        let eccBlocks = blocks.map { ReedSolomon.remainder(of: $0, generator: generator) }

        var result: [UInt8] = []
        result.reserveCapacity(layout.totalCodewords)
        for offset in 0...shortLength {
            for block in blocks where offset < block.count {
                result.append(block[block.startIndex + offset])
            }
        }
        for offset in 0..<layout.eccCodewordsPerBlock {
            for ecc in eccBlocks { result.append(ecc[offset]) }
        }
        return result
    }

    /// Reed-Solomon error correction over GF(2⁸) with the QR code's field polynomial
    /// x⁸ + x⁴ + x³ + x² + 1 (0x11D) and generator roots α⁰ … α^(n−1), α = 2.
    enum ReedSolomon {
        /// Multiplies two field elements (carry-less multiplication reduced modulo 0x11D).
        /// Bitwise rather than table-driven: a few hundred codewords per page view make
        /// speed irrelevant, and there is no table to get wrong.
        static func multiply(_ left: UInt8, _ right: UInt8) -> UInt8 {
            var product = 0
            for shift in stride(from: 7, through: 0, by: -1) {
                product = (product << 1) ^ ((product >> 7) * 0x11D)
                product ^= ((Int(right) >> shift) & 1) * Int(left)
            }
            return UInt8(product)
        }

        /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)), as its coefficients
        /// from the highest power down, without the leading 1 (it is monic).
        static func generator(degree: Int) -> [UInt8] {
            var coefficients = [UInt8](repeating: 0, count: degree)
            coefficients[degree - 1] = 1  // start from the polynomial 1
            var root: UInt8 = 1
            for _ in 0..<degree {
                // Multiply by (x − root); subtraction is XOR in GF(2⁸).
                for index in 0..<degree {
                    coefficients[index] = multiply(coefficients[index], root)
                    if index + 1 < degree { coefficients[index] ^= coefficients[index + 1] }
                }
                root = multiply(root, 0x02)
            }
            return coefficients
        }

        /// The error correction codewords: the remainder of data(x)·x^degree divided by the
        /// generator, by polynomial long division.
        static func remainder(of data: ArraySlice<UInt8>, generator: [UInt8]) -> [UInt8] {
            var remainder = [UInt8](repeating: 0, count: generator.count)
            for codeword in data {
                let factor = codeword ^ remainder.removeFirst()
                remainder.append(0)
                for index in generator.indices {
                    remainder[index] ^= multiply(generator[index], factor)
                }
            }
            return remainder
        }
    }
}
