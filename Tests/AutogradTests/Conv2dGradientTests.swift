import XCTest
import Tensor
@testable import Autograd

/// conv2d gradients (input, weight, bias) against central finite differences.
final class Conv2dGradientTests: XCTestCase {
    func random(_ shape: [Int], _ stream: UInt32) -> Tensor {
        CounterRNG(seed: 9).normal([1, Tensor.count(of: shape)], purpose: .misc, stream: stream, step: 0, firstSample: 0)
            .reshaped(shape)
    }

    func testConv2dGradients() {
        // (x shape, weight shape, stride, padding): 3x3 padded, stride 2 on odd sizes, 1x1, 1x1 images.
        let cases: [([Int], [Int], Int, Int)] = [
            ([2, 2, 5, 5], [3, 2, 3, 3], 1, 1),
            ([2, 2, 5, 7], [2, 2, 3, 3], 2, 1),
            ([2, 3, 3, 4], [2, 3, 1, 1], 1, 0),
            ([2, 2, 1, 1], [3, 2, 3, 3], 1, 1),
            ([1, 2, 4, 4], [2, 2, 2, 2], 2, 0),
        ]
        for (xs, ws, stride, padding) in cases {
            let x = random(xs, 1), w = random(ws, 2), b = random([ws[0]], 3)
            let r = GradientCheck.check(inputs: [x, w, b]) { v in
                conv2d(v[0], weight: v[1], bias: v[2], stride: stride, padding: padding)
            }
            XCTAssertLessThan(r.maxRelativeError, 1e-2, "conv2d x \(xs) w \(ws) s \(stride) p \(padding): \(r)")
        }
    }

    func testConv2dWithoutBiasAndConstantInput() {
        let x = Variable(random([2, 2, 4, 4], 4))
        let w = Variable(random([3, 2, 3, 3], 5), requiresGrad: true)
        let y = conv2d(x, weight: w, bias: nil, padding: 1)
        XCTAssertEqual(y.shape, [2, 3, 4, 4])
        sum(y).backward()
        XCTAssertNil(x.grad)
        XCTAssertEqual(w.grad?.shape, [3, 2, 3, 3])
        let r = GradientCheck.check(inputs: [x.value, w.value]) { v in conv2d(v[0], weight: v[1], bias: nil, padding: 1) }
        XCTAssertLessThan(r.maxRelativeError, 1e-2, "\(r)")
    }
}
