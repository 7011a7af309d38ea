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
  // The limit is written into the text, so that PostgreSQL's plan cache keeps one generic
  // plan for it (a bound limit makes the generic plan look costlier than a custom one, and
  // every call is planned again), rounded up to one of a few sizes, so that each filter
  // combination has a handful of texts (ExecPrepared prepares each once per connection)
  // whatever page sizes clients ask for. Run() ignores the rows past size + 1.
  int limit = page.size + 1;
  for (int bucket : {11, 26, 51, 101, 201, 501}) {
    if (bucket >= limit) {
      limit = bucket;
      break;
    }
  }
  std::string sql =
      absl::StrCat("SELECT ", columns, ", ", sort_key, ", ", id, "::text ", from, " WHERE ",
                   conditions_.empty() ? "true" : absl::StrJoin(conditions_, " AND "), " ORDER BY ",
                   sort_key, ", ", id, " LIMIT ", limit);
  return ExecPrepared(tx, sql, params_);
}

}  // namespace maillage::pg
