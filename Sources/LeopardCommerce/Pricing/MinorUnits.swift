/// Integer arithmetic on amounts in minor units: exact products through 128 bits, rounding half
/// up (amounts here are never negative), and splitting an amount in proportion without losing
/// or inventing a unit.
enum MinorUnits {
    /// `value × numerator ÷ denominator`, rounded half up; exact for any 64-bit inputs whose
    /// result fits. `value` and `numerator` are not negative, `denominator` is positive.
    static func scale(_ value: Int, by numerator: Int, over denominator: Int) -> Int {
        precondition(value >= 0 && numerator >= 0 && denominator > 0, "amounts and rates are never negative")
        let product = value.multipliedFullWidth(by: numerator)
        let (quotient, remainder) = denominator.dividingFullWidth((high: product.high, low: product.low))
        return remainder * 2 >= denominator ? quotient + 1 : quotient
    }

    /// Splits `amount` over `weights` in proportion (largest remainders take the units left
    /// over, the earliest first on a tie); the parts add up to `amount` exactly. All weights
    /// zero: nothing is split.
    static func allocate(_ amount: Int, over weights: [Int]) -> [Int] {
        let total = weights.reduce(0, +)
        guard total > 0, amount > 0 else { return weights.map { _ in 0 } }
        var parts: [Int] = []
        var remainders: [(index: Int, remainder: Int)] = []
        for (index, weight) in weights.enumerated() {
            let product = amount.multipliedFullWidth(by: weight)
            let (quotient, remainder) = total.dividingFullWidth((high: product.high, low: product.low))
            parts.append(quotient)
            remainders.append((index, remainder))
        }
        var left = amount - parts.reduce(0, +)
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }) where left > 0 {
            parts[entry.index] += 1
            left -= 1
        }
        return parts
    }
}
