import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import Logging

/// Cancelling an order, for the API and the admin alike: the order and any payment still
/// under way on it are cancelled in one transaction (`Payments.cancelOrder`), then each
/// provider payment is cancelled with its provider. A provider that answers the cancel with an
/// error may have captured meanwhile: the payment is refunded instead, and a capture that
/// still arrives later is refunded by the webhook receiver.
public struct OrderCancellation {
    public let providers: PaymentProviders
    public let logger: Logger

    public init(providers: PaymentProviders, logger: Logger) {
        self.providers = providers
        self.logger = logger
    }

    public func cancel(orderID: String, reason: String?, actor: String, database: any DatabaseHandle) async throws -> Order {
        let stopped = try await Payments(database: database).cancelOrder(id: orderID, reason: reason, actor: actor)
        for payment in stopped where payment.provider != TestGateway.name {
            await stop(payment, database: database)
        }
        guard let order = try await Orders(database: database).find(id: orderID) else { throw Problem.notFound("There is no order \(orderID.prefix(64)).") }
        return order
    }

    func stop(_ payment: Payments.Stopped, database: any DatabaseHandle) async {
        let provider: any PaymentProvider
        do {
            provider = try await providers.provider(named: payment.provider, database: database)
        } catch {
            logger.critical(
                "a cancelled order's payment could not be cancelled: settle it in the provider's dashboard", metadata: ["payment": .string(payment.paymentID)])
            return
        }
        do {
            _ = try await provider.cancel(reference: payment.reference, idempotencyKey: "cancel-\(payment.paymentID)")
        } catch {
            do {
                _ = try await provider.refund(reference: payment.reference, amount: payment.amount, idempotencyKey: "cancel-refund-\(payment.paymentID)")
            } catch {
                logger.warning(
                    "a cancelled order's payment was neither cancelled nor refunded with its provider yet; a later capture is refunded on arrival",
                    metadata: ["payment": .string(payment.paymentID), "error": .string(String(describing: error).prefix(300).description)])
            }
        }
    }
}
