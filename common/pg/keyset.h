// common/pg/keyset: one page of a listing, by keyset (the sort key and id of the last row
// seen), never by offset, so that rows added meanwhile neither repeat nor hide others.
//
//   KeysetQuery q;
//   q.Where(absl::StrCat("m.network_id = ", q.Param(network_id), "::uuid"));
//   if (!prefix.empty()) q.WherePrefix("o.name_key", prefix, /*lower=*/true);
//   Page<Membership> page = q.Run(tx, kColumns, "FROM memberships m JOIN ...",
//                                 "m.organisation_name_key", "m.id", page_query, &ReadMembership);
//   if (!page.next_after.empty()) next_token = codec.Encode(fingerprint, page.next_after);
//
// The sort key and the id must together be unique and, for pages to cost a range scan, an
// index must lead with the equality filters and then (sort key, id). Every value is bound as
// a parameter; only column names and conditions written by the caller are spliced.
#ifndef MAILLAGE_COMMON_PG_KEYSET_H_
#define MAILLAGE_COMMON_PG_KEYSET_H_

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/paging/paging.h"

namespace maillage::pg {

template <typename T>
struct Page {
  std::vector<T> items;
  // Sort key of the last item when there are more; empty on the last page.
  std::vector<std::string> next_after;
};

class KeysetQuery {
 public:
  // Binds `value` and returns its placeholder ("$3").
  std::string Param(std::string value);
  void Where(std::string condition) { conditions_.push_back(std::move(condition)); }
  // `column LIKE 'prefix%'`, LIKE's wildcards escaped so that a '%' in a name matches itself;
  // `lower` compares with lower(prefix).
  void WherePrefix(absl::string_view column, const std::string& prefix, bool lower = false);

  // Runs `SELECT columns from_and_joins WHERE ... ORDER BY sort_key, id LIMIT size + 1` after
  // the keyset position `page.after` (sort key, id as a UUID), and reads the rows with
  // `read`. The sort key and the id are appended as the row's last two columns.
  template <typename T>
  Page<T> Run(pqxx::work& tx, absl::string_view columns, absl::string_view from,
              absl::string_view sort_key, absl::string_view id, const PageQuery& page,
              T (*read)(const pqxx::row&)) {
    pqxx::result r = Execute(tx, columns, from, sort_key, id, page);
    Page<T> out;
    for (size_t i = 0; i < r.size() && static_cast<int>(i) < page.size; ++i) {
      out.items.push_back(read(r[i]));
    }
    if (static_cast<int>(r.size()) > page.size) {
      const pqxx::row& last = r[page.size - 1];
      pqxx::row::size_type n = last.size();
      out.next_after = {last[n - 2].as<std::string>(), last[n - 1].as<std::string>()};
    }
    return out;
  }

 private:
  pqxx::result Execute(pqxx::work& tx, absl::string_view columns, absl::string_view from,
                       absl::string_view sort_key, absl::string_view id, const PageQuery& page);

  std::vector<std::string> params_;
  std::vector<std::string> conditions_;
};

}  // namespace maillage::pg

#endif  // MAILLAGE_COMMON_PG_KEYSET_H_
