// Walker's alias method (Vose's stable construction), in the padded form the
// hot loop wants: 2^k columns, so a column is picked with a mask instead of a
// multiply, and integer coin thresholds, so a pick is one compare and a
// conditional move.
//
// Walker (1977), "An efficient method for generating discrete random
// variables with general distributions", ACM TOMS 3(3); Vose (1991), "A
// linear algorithm for generating random numbers with a given distribution",
// IEEE TSE 17(9). Built once at compile time; read-only afterwards.
#ifndef CJSIM_MODELS_ALIAS_TABLE_H_
#define CJSIM_MODELS_ALIAS_TABLE_H_

#include <cstdint>
#include <span>
#include <vector>

namespace cjsim {

struct AliasColumn {
  // Keep `primary` when a uniform 32-bit coin is below `threshold`, else take
  // `alias`. A column that must always keep has alias == primary, so a full
  // column needs no threshold of 2^32.
  uint32_t threshold;
  uint32_t primary;
  uint32_t alias;
};

// Columns for `weights` (not all zero, none negative), padded with empty
// columns to the next power of two (at least 1). Items are the indices of
// `weights`; an item of weight 0 is never picked, and every primary and
// alias of every column (padding included) is an item of positive weight
// or, where it is never picked, some item: always < weights.size().
std::vector<AliasColumn> build_alias_table(std::span<const double> weights);

// log2 of the column count build_alias_table makes for `n` items.
int alias_table_log2_size(size_t n);

// Picks with 64 random bits: the high bits choose the column, the low 32 are
// the coin.
inline uint32_t alias_pick(const AliasColumn* columns, int log2_size, uint64_t bits) {
  const AliasColumn& column = columns[log2_size == 0 ? 0 : (bits >> (64 - log2_size))];
  // A mask, not `?:`: where a pick is inlined into colder code, g++ turns
  // the conditional into a branch that the coin mispredicts half the time.
  const uint32_t keep = 0u - static_cast<uint32_t>(static_cast<uint32_t>(bits) < column.threshold);
  return (column.primary & keep) | (column.alias & ~keep);
}

}  // namespace cjsim

#endif  // CJSIM_MODELS_ALIAS_TABLE_H_
