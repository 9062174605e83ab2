#ifndef ENLACE_SERVICES_NODE_DOMAIN_MODULE_H_
#define ENLACE_SERVICES_NODE_DOMAIN_MODULE_H_

// The usual module: one domain object (an EnvelopeHandler when it applies envelopes) and the
// thin gRPC adapter over it. A module folder then holds only what is its own: a `ModuleSpec()`
// that builds the domain from the context. What the node asks of a module is forwarded to
// the domain when the domain has it (Start/Stop, Bootstrap of a new peer, the erasure duty).

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "services/federation/inbox.h"
#include "services/node/module.h"

namespace enlace::node {

namespace internal {
template <typename D, typename = void>
struct HasStartStop : std::false_type {};
template <typename D>
struct HasStartStop<
    D, std::void_t<decltype(std::declval<D&>().Start()), decltype(std::declval<D&>().Stop())>>
    : std::true_type {};
template <typename D, typename = void>
struct HasBootstrap : std::false_type {};
template <typename D>
struct HasBootstrap<D, std::void_t<decltype(std::declval<D&>().Bootstrap(
                           std::declval<const std::string&>(), std::declval<txn::Transaction&>()))>>
    : std::true_type {};
template <typename D, typename = void>
struct HasErasure : std::false_type {};
template <typename D>
struct HasErasure<
    D, std::void_t<decltype(std::declval<D&>().OnPersonErased(
           std::declval<const std::string&>(), std::declval<const std::vector<std::string>&>(),
           std::declval<txn::Transaction&>()))>> : std::true_type {};
}  // namespace internal

// `Adapter` is constructed as Adapter(Domain*, ThreadPool*, authz::Authorizer*) and serves
// `service_full_name`; `kinds` are the envelope kinds the domain applies.
template <typename Domain, typename Adapter>
class DomainModule final : public Module {
 public:
  DomainModule(std::string name, std::string service_full_name, std::vector<std::string> kinds,
               std::unique_ptr<Domain> domain, const ModuleContext& ctx)
      : name_(std::move(name)),
        service_full_name_(std::move(service_full_name)),
        kinds_(std::move(kinds)),
        domain_(std::move(domain)),
        adapter_(std::make_unique<Adapter>(domain_.get(), ctx.pool, ctx.authorizer)) {}

  absl::string_view name() const override { return name_; }
  std::vector<Service> Services() override { return {{service_full_name_, adapter_.get()}}; }
  std::vector<Handler> Handlers() override {
    std::vector<Handler> handlers;
    if constexpr (std::is_base_of_v<federation::EnvelopeHandler, Domain>) {
      for (const std::string& kind : kinds_) handlers.push_back({kind, domain_.get()});
    }
    return handlers;
  }
  absl::Status OnPersonErased(const std::string& person_id,
                              const std::vector<std::string>& linked_key_owners,
                              txn::Transaction& txn) override {
    if constexpr (internal::HasErasure<Domain>::value) {
      return domain_->OnPersonErased(person_id, linked_key_owners, txn);
    }
    return absl::OkStatus();
  }
  absl::Status BootstrapPeer(const std::string& peer, txn::Transaction& txn) override {
    if constexpr (internal::HasBootstrap<Domain>::value) return domain_->Bootstrap(peer, txn);
    return absl::OkStatus();
  }
  void Start() override {
    if constexpr (internal::HasStartStop<Domain>::value) domain_->Start();
  }
  void Stop() override {
    if constexpr (internal::HasStartStop<Domain>::value) domain_->Stop();
  }
  // For modules listed later that read this one's domain (ModuleContext::find, then
  // dynamic_cast to this type).
  Domain* domain() { return domain_.get(); }

 private:
  const std::string name_;
  const std::string service_full_name_;
  const std::vector<std::string> kinds_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<Adapter> adapter_;
};

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_DOMAIN_MODULE_H_
