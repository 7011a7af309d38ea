#include "services/assessment/assessment_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/pg/pg.h"
#include "common/status/status.h"
#include "services/assessment/domain/catalogue.h"
#include "services/assessment/domain/matrix.h"
#include "services/assessment/store_support.h"

namespace maillage::assessment {
namespace {

constexpr char kSelectFunction[] =
    "SELECT code, parent_code, nature, label_fr, label_en, is_default, retired "
    "FROM network_functions WHERE network_id = $1::uuid";

v1::SupportFunction FunctionFromRow(const pqxx::row& r, const std::string& network_id) {
  v1::SupportFunction f;
  f.set_code(r[0].as<std::string>());
  f.set_parent_code(r[1].as<std::string>());
  f.set_nature(static_cast<v1::FunctionNature>(r[2].as<int>()));
  f.set_label_fr(r[3].as<std::string>());
  f.set_label_en(r[4].as<std::string>());
  if (!r[5].as<bool>()) f.set_network_id(network_id);
  f.set_retired(r[6].as<bool>());
  return f;
}

absl::Status Publish(pqxx::work& tx, v1::AssessmentEvent event, const std::string& type) {
  return store::Publish(tx, std::move(event), type, absl::Now());
}

}  // namespace

AssessmentStore::AssessmentStore(pg::PgPool* pool, std::vector<v1::SupportFunction> defaults)
    : pool_(pool), defaults_(std::move(defaults)) {}

absl::StatusOr<std::vector<v1::SupportFunction>> AssessmentStore::Functions(
    const std::string& network_id, bool include_retired) {
  std::vector<v1::SupportFunction> own;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    own.clear();
    for (const pqxx::row& r :
         tx.exec_params(absl::StrCat(kSelectFunction, " ORDER BY code"), network_id)) {
      own.push_back(FunctionFromRow(r, network_id));
    }
    return absl::OkStatus();
  }));
  std::vector<v1::SupportFunction> out;
  for (v1::SupportFunction f : defaults_) {
    for (const v1::SupportFunction& o : own) {
      if (o.network_id().empty() && o.code() == f.code()) f.set_retired(o.retired());
    }
    if (include_retired || !f.retired()) out.push_back(std::move(f));
  }
  for (v1::SupportFunction& o : own) {
    if (!o.network_id().empty() && (include_retired || !o.retired())) out.push_back(std::move(o));
  }
  return out;
}

absl::StatusOr<v1::SupportFunction> AssessmentStore::AddFunction(const std::string& network_id,
                                                                 v1::SupportFunction f,
                                                                 const std::string& actor) {
  for (const v1::SupportFunction& d : defaults_) {
    if (d.code() == f.code()) {
      return absl::AlreadyExistsError(
          absl::StrCat("function.code: \"", f.code(), "\" is a function of the default catalogue"));
    }
  }
  f.set_network_id(network_id);
  f.set_retired(false);
  absl::Status s = pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    // A network's own list is bounded like a catalogue file (the advisory lock makes the
    // count and the insert one step).
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('functions:' || $1))", network_id);
    const int own = tx.exec_params(
                          "SELECT count(*) FROM network_functions "
                          "WHERE network_id = $1::uuid AND NOT is_default",
                          network_id)[0][0]
                        .as<int>();
    if (own >= kMaxCatalogueFunctions) {
      return absl::FailedPreconditionError(absl::StrCat("function: the network already has ", own,
                                                        " functions of its own, the most it may"));
    }
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO network_functions (network_id, code, parent_code, nature, label_fr, "
        "label_en, added_by) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (network_id, code) DO NOTHING RETURNING code",
        network_id, f.code(), f.parent_code(), static_cast<int>(f.nature()), f.label_fr(),
        f.label_en(), actor);
    if (inserted.empty()) {
      return absl::AlreadyExistsError(
          absl::StrCat("function.code: the network already has \"", f.code(), "\""));
    }
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(network_id);
    *e.mutable_function_added() = f;
    return Publish(tx, std::move(e), "assessment.FunctionAdded");
  });
  if (!s.ok()) return s;
  return f;
}

absl::StatusOr<v1::SupportFunction> AssessmentStore::RetireFunction(const std::string& network_id,
                                                                    const std::string& code,
                                                                    const std::string& actor) {
  const v1::SupportFunction* as_default = nullptr;
  for (const v1::SupportFunction& d : defaults_) {
    if (d.code() == code) as_default = &d;
  }
  v1::SupportFunction out;
  absl::Status s = pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(absl::StrCat(kSelectFunction, " AND code = $2 FOR UPDATE"),
                                       network_id, code);
    bool changed = false;
    if (!rows.empty()) {
      out = FunctionFromRow(rows[0], network_id);
      changed = !out.retired();
      if (changed) {
        tx.exec_params(
            "UPDATE network_functions SET retired = true WHERE network_id = $1::uuid AND code = $2",
            network_id, code);
      }
    } else if (as_default != nullptr) {
      out = *as_default;
      changed = true;
      tx.exec_params(
          "INSERT INTO network_functions (network_id, code, parent_code, nature, label_fr, "
          "label_en, is_default, retired, added_by) "
          "VALUES ($1::uuid, $2, $3, $4, $5, $6, true, true, $7)",
          network_id, code, out.parent_code(), static_cast<int>(out.nature()), out.label_fr(),
          out.label_en(), actor);
    } else {
      return absl::NotFoundError(absl::StrCat("code: the network has no function \"", code, "\""));
    }
    out.set_retired(true);
    if (!changed) return absl::OkStatus();  // already retired: nothing to tell
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(network_id);
    *e.mutable_function_retired() = out;
    return Publish(tx, std::move(e), "assessment.FunctionRetired");
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Matrix> AssessmentStore::Matrix(const std::string& network_id, int version) {
  v1::Matrix out;
  bool found = false;
  MAILLAGE_RETURN_IF_ERROR(pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        version == 0
            ? tx.exec_params(
                  "SELECT matrix FROM matrices WHERE network_id = $1::uuid "
                  "ORDER BY version DESC LIMIT 1",
                  network_id)
            : tx.exec_params(
                  "SELECT matrix FROM matrices WHERE network_id = $1::uuid AND version = $2",
                  network_id, version);
    found = !rows.empty();
    if (found) {
      pqxx::binarystring bytes(rows[0][0]);
      if (!out.ParseFromString(bytes.str()))
        return absl::InternalError("matrix row does not parse");
    }
    return absl::OkStatus();
  }));
  if (found) return out;
  if (version != 0) {
    return absl::NotFoundError(
        absl::StrCat("version: the network has no matrix version ", version));
  }
  out = DefaultMatrix();
  out.set_network_id(network_id);
  return out;
}

absl::StatusOr<v1::Matrix> AssessmentStore::UpdateMatrix(const std::string& network_id,
                                                         int expected_version,
                                                         const std::vector<v1::MatrixCell>& cells,
                                                         const std::string& actor) {
  v1::Matrix next;
  absl::Status s = pool_->Transact([&](pqxx::work& tx) -> absl::Status {
    // One editor at a time per network: the advisory lock orders concurrent edits, and the
    // version check turns the loser into ABORTED.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('matrix:' || $1))", network_id);
    pqxx::result current = tx.exec_params(
        "SELECT coalesce(max(version), 0) FROM matrices WHERE network_id = $1::uuid", network_id);
    const int version = current[0][0].as<int>();
    if (version >= kMaxMatrixVersions) {
      return absl::FailedPreconditionError(
          absl::StrCat("the matrix has ", version, " versions, the most a network may keep"));
    }
    if (version != expected_version) {
      return absl::AbortedError(absl::StrCat("expected_version: the matrix is at version ", version,
                                             ", not ", expected_version, "; read it again"));
    }
    next.set_network_id(network_id);
    next.set_version(version + 1);
    for (const v1::MatrixCell& c : cells) *next.add_cells() = c;
    next.mutable_create_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    next.set_created_by(actor);
    const std::string bytes = next.SerializeAsString();
    tx.exec_params(
        "INSERT INTO matrices (network_id, version, matrix, created_by) "
        "VALUES ($1::uuid, $2, $3, $4)",
        network_id, next.version(), pqxx::binarystring(bytes.data(), bytes.size()), actor);
    v1::AssessmentEvent e;
    e.set_actor(actor);
    e.set_network_id(network_id);
    *e.mutable_matrix_changed() = next;
    return Publish(tx, std::move(e), "assessment.MatrixChanged");
  });
  if (!s.ok()) return s;
  return next;
}

}  // namespace maillage::assessment
