import Distributed
import XCTest
