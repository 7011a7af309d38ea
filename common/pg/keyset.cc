#include "common/pg/keyset.h"

#include "common/pg/pg.h"

namespace maillage::pg {

std::string KeysetQuery::Param(std::string value) {
  params_.push_back(std::move(value));
  return absl::StrCat("$", params_.size());
}

void KeysetQuery::WherePrefix(absl::string_view column, const std::string& prefix, bool lower) {
  std::string escaped;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  std::string p = Param(escaped + "%");
  Where(absl::StrCat(column, " LIKE ", lower ? absl::StrCat("lower(", p, ")") : p));
}

pqxx::result KeysetQuery::Execute(pqxx::work& tx, absl::string_view columns, absl::string_view from,
                                  absl::string_view sort_key, absl::string_view id,
                                  const PageQuery& page) {
  if (page.after.size() == 2) {
    Where(absl::StrCat("(", sort_key, ", ", id, ") > (", Param(page.after[0]), ", ",
                       Param(page.after[1]), "::uuid)"));
  }
  // The limit is bound too: one statement text per filter combination, prepared once per
  // connection (ExecPrepared), whatever the page size.
  std::string limit = Param(absl::StrCat(page.size + 1));
  std::string sql =
      absl::StrCat("SELECT ", columns, ", ", sort_key, ", ", id, "::text ", from, " WHERE ",
                   conditions_.empty() ? "true" : absl::StrJoin(conditions_, " AND "), " ORDER BY ",
                   sort_key, ", ", id, " LIMIT ", limit, "::int");
  return ExecPrepared(tx, sql, params_);
}

}  // namespace maillage::pg
