import LeopardPlatform
import Synchronization

struct InjectedFault: Error, CustomStringConvertible {
    let step: ProvisioningStep
    var description: String { "injected failure at \(step.rawValue)" }
}

/// Fails provisioning at one step, once; later signups go through.
final class OneShotFault: Sendable {
    let step: ProvisioningStep
    private let armed = Atomic<Bool>(true)

    init(at step: ProvisioningStep) {
        self.step = step
    }

    var injector: TenantProvisioner.FaultInjector {
        { [self] current in
            if current == step, armed.exchange(false, ordering: .relaxed) { throw InjectedFault(step: current) }
        }
    }
}
