/**
 * Generated from the service's OpenAPI document by `npm run api:types`. Do not edit.
 */

export interface paths {
    "/api/v1/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        password: string;
                        nickname: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                accessToken: string;
                                /** @enum {string} */
                                tokenType: "Bearer";
                                expiresIn: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                accessToken: string;
                                /** @enum {string} */
                                tokenType: "Bearer";
                                expiresIn: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                    category?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    name: string;
                                    description: string | null;
                                    price: number;
                                    discountPrice: number | null;
                                    stock: number;
                                    imageUrl: string | null;
                                    category: string | null;
                                    featured: boolean;
                                    images: string[];
                                    averageRating: number | null;
                                    reviewCount: number | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/products/{productId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                price: number;
                                discountPrice: number | null;
                                stock: number;
                                imageUrl: string | null;
                                category: string | null;
                                featured: boolean;
                                images: string[];
                                averageRating: number | null;
                                reviewCount: number | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/products/{productId}/with-reviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                price: number;
                                stock: number;
                                imageUrl: string | null;
                                category: string | null;
                                reviews: {
                                    id: string;
                                    title: string | null;
                                    content: string | null;
                                    authorId: string | null;
                                    productId: string;
                                    rating: number | null;
                                }[];
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/inventory/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    productIds: string[];
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/inventory/{productId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                productId: number;
                                availableQuantity: number;
                                reservedQuantity: number;
                                totalQuantity: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/inventory/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        productIds: number[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                productId: number;
                                availableQuantity: number;
                                reservedQuantity: number;
                                totalQuantity: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/cart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My ACTIVE cart (created on first use) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove every item */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/cart/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a product (S106 if already in the cart) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        productId: number | null;
                        quantity: number | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/cart/items/{itemId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change an item quantity */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    itemId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        quantity: number | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        /** Remove an item */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    itemId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/cart/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check out the ACTIVE cart */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                userId: string;
                                status: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                    /** Format: date-time */
                                    addedAt: string;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    orderNumber: string;
                                    userId: string;
                                    status: string;
                                    statusDescription: string;
                                    items: {
                                        id: number;
                                        productId: number;
                                        productName: string;
                                        price: number;
                                        quantity: number;
                                        subtotal: number;
                                    }[];
                                    itemCount: number;
                                    totalQuantity: number;
                                    totalAmount: number;
                                    discountAmount: number;
                                    finalAmount: number;
                                    appliedUserCouponId: number | null;
                                    shippingAddress: {
                                        receiverName: string;
                                        receiverPhone: string;
                                        zipCode: string;
                                        address1: string;
                                        address2: string | null;
                                        fullAddress: string;
                                    } | null;
                                    cancelReason: string | null;
                                    /** Format: date-time */
                                    cancelledAt: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                    /** Format: date-time */
                                    paymentDueAt: string | null;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        cartId?: number | null;
                        shippingAddress: {
                            receiverName: string;
                            receiverPhone: string;
                            zipCode: string;
                            address1: string;
                            address2?: string | null;
                        };
                        userCouponId?: number | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/orders/{orderNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/orders/{orderNumber}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        orderNumber: string;
                        /** @enum {string} */
                        paymentMethod: "CARD" | "BANK_TRANSFER" | "VIRTUAL_ACCOUNT" | "MOBILE" | "POINTS" | "CREDIT_CARD" | "KAKAO_PAY" | "NAVER_PAY";
                        cardNumber?: string | null;
                        cardExpiry?: string | null;
                        cardCvv?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                paymentNumber: string;
                                orderNumber: string;
                                userId: string;
                                amount: number;
                                status: string;
                                statusDescription: string;
                                paymentMethod: string;
                                paymentMethodDescription: string;
                                pgTransactionId: string | null;
                                failureReason: string | null;
                                /** Format: date-time */
                                paidAt: string | null;
                                /** Format: date-time */
                                refundedAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/payments/{paymentNumber}/refund": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    paymentNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                paymentNumber: string;
                                orderNumber: string;
                                userId: string;
                                amount: number;
                                status: string;
                                statusDescription: string;
                                paymentMethod: string;
                                paymentMethodDescription: string;
                                pgTransactionId: string | null;
                                failureReason: string | null;
                                /** Format: date-time */
                                paidAt: string | null;
                                /** Format: date-time */
                                refundedAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/payments/{paymentNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    paymentNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                paymentNumber: string;
                                orderNumber: string;
                                userId: string;
                                amount: number;
                                status: string;
                                statusDescription: string;
                                paymentMethod: string;
                                paymentMethodDescription: string;
                                pgTransactionId: string | null;
                                failureReason: string | null;
                                /** Format: date-time */
                                paidAt: string | null;
                                /** Format: date-time */
                                refundedAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/payments/{paymentNumber}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    paymentNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                paymentNumber: string;
                                orderNumber: string;
                                userId: string;
                                amount: number;
                                status: string;
                                statusDescription: string;
                                paymentMethod: string;
                                paymentMethodDescription: string;
                                pgTransactionId: string | null;
                                failureReason: string | null;
                                /** Format: date-time */
                                paidAt: string | null;
                                /** Format: date-time */
                                refundedAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/deliveries/{trackingNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A delivery with its histories (owner or admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    trackingNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                trackingNumber: string;
                                orderNumber: string;
                                status: string;
                                statusDescription: string;
                                carrier: string;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                /** Format: date */
                                estimatedDeliveryDate: string | null;
                                /** Format: date */
                                actualDeliveryDate: string | null;
                                histories: {
                                    id: number;
                                    status: string;
                                    statusDescription: string;
                                    location: string | null;
                                    description: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/deliveries/order/{orderNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An order's delivery (owner or admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                trackingNumber: string;
                                orderNumber: string;
                                status: string;
                                statusDescription: string;
                                carrier: string;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                /** Format: date */
                                estimatedDeliveryDate: string | null;
                                /** Format: date */
                                actualDeliveryDate: string | null;
                                histories: {
                                    id: number;
                                    status: string;
                                    statusDescription: string;
                                    location: string | null;
                                    description: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/deliveries/{trackingNumber}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Move a delivery to its next status (admin; S506 for a transition §0.2 does not allow) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    trackingNumber: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "PREPARING" | "SHIPPED" | "IN_TRANSIT" | "DELIVERED" | "RETURNED" | "CANCELLED";
                        location?: string | null;
                        description?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                trackingNumber: string;
                                orderNumber: string;
                                status: string;
                                statusDescription: string;
                                carrier: string;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                /** Format: date */
                                estimatedDeliveryDate: string | null;
                                /** Format: date */
                                actualDeliveryDate: string | null;
                                histories: {
                                    id: number;
                                    status: string;
                                    statusDescription: string;
                                    location: string | null;
                                    description: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/time-deals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                endsAt: string;
                                products: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    originalPrice: number;
                                    dealPrice: number;
                                    discountRate: number;
                                    dealQuantity: number;
                                    soldQuantity: number;
                                    remainingQuantity: number;
                                    maxPerUser: number;
                                    available: boolean;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/time-deals/my/purchases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                timeDealProductId: number;
                                productName: string;
                                quantity: number;
                                purchasePrice: number;
                                totalPrice: number;
                                /** Format: date-time */
                                purchasedAt: string;
                                orderNumber: string | null;
                                status: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/time-deals/{timeDealId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    timeDealId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                endsAt: string;
                                products: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    originalPrice: number;
                                    dealPrice: number;
                                    discountRate: number;
                                    dealQuantity: number;
                                    soldQuantity: number;
                                    remainingQuantity: number;
                                    maxPerUser: number;
                                    available: boolean;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/time-deals/purchase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        timeDealProductId: number;
                        quantity: number;
                        shippingAddress?: {
                            receiverName: string;
                            receiverPhone: string;
                            zipCode: string;
                            address1: string;
                            address2?: string | null;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                timeDealProductId: number;
                                productName: string;
                                quantity: number;
                                purchasePrice: number;
                                totalPrice: number;
                                /** Format: date-time */
                                purchasedAt: string;
                                orderNumber: string | null;
                                status: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                code: string;
                                name: string;
                                description: string | null;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                totalQuantity: number;
                                issuedQuantity: number;
                                remainingQuantity: number;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                createdAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/coupons/my": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                couponId: number;
                                couponCode: string;
                                couponName: string;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                status: string;
                                /** Format: date-time */
                                issuedAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                usedAt: string | null;
                                usedOrderId: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/coupons/my/available": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                couponId: number;
                                couponCode: string;
                                couponName: string;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                status: string;
                                /** Format: date-time */
                                issuedAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                usedAt: string | null;
                                usedOrderId: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/coupons/{couponId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    couponId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                code: string;
                                name: string;
                                description: string | null;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                totalQuantity: number;
                                issuedQuantity: number;
                                remainingQuantity: number;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/coupons/{couponId}/issue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    couponId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                couponId: number;
                                couponCode: string;
                                couponName: string;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                status: string;
                                /** Format: date-time */
                                issuedAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                usedAt: string | null;
                                usedOrderId: number | null;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/queue/{eventType}/{eventId}/enter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the line (S801 without an active queue; already WAITING/ENTERED: that entry, 200) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                entryToken: string;
                                /** @enum {string} */
                                status: "WAITING" | "ENTERED" | "EXPIRED" | "LEFT";
                                position: number;
                                estimatedWaitSeconds: number;
                                totalWaiting: number;
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/queue/{eventType}/{eventId}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's entry (S801, S803) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                entryToken: string;
                                /** @enum {string} */
                                status: "WAITING" | "ENTERED" | "EXPIRED" | "LEFT";
                                position: number;
                                estimatedWaitSeconds: number;
                                totalWaiting: number;
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/queue/token/{entryToken}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An entry by its token (S803, S807) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entryToken: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                entryToken: string;
                                /** @enum {string} */
                                status: "WAITING" | "ENTERED" | "EXPIRED" | "LEFT";
                                position: number;
                                estimatedWaitSeconds: number;
                                totalWaiting: number;
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Leave by token (S803, S807) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    entryToken: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/queue/{eventType}/{eventId}/leave": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Leave the line or give up an admission (S801 no such queue, S803 no live entry) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/queue/{eventType}/{eventId}/subscribe/{entryToken}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live queue status as text/event-stream (S803, S807 before the stream opens) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                    entryToken: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    keyword?: string;
                    minPrice?: number;
                    maxPrice?: number;
                    sort?: string;
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                results: {
                                    id: number;
                                    name: string;
                                    description: string | null;
                                    price: number;
                                    stock: number;
                                    highlightedName: string | null;
                                    highlightedDescription: string | null;
                                    score: number | null;
                                }[];
                                totalHits: number;
                                page: number;
                                size: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    keyword?: string;
                    minPrice?: number;
                    maxPrice?: number;
                    sort?: string;
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                results: {
                                    id: number;
                                    name: string;
                                    description: string | null;
                                    price: number;
                                    stock: number;
                                    highlightedName: string | null;
                                    highlightedDescription: string | null;
                                    score: number | null;
                                }[];
                                totalHits: number;
                                page: number;
                                size: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search/suggest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query: {
                    keyword: string;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: string[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search/popular": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: string[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search/recent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: string[];
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query: {
                    keyword: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/search/recent/{keyword}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyword: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        description?: string | null;
                        price: number;
                        discountPrice?: number | null;
                        stock: number;
                        imageUrl?: string | null;
                        category?: string | null;
                        featured?: boolean | null;
                        images?: (string)[] | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                price: number;
                                discountPrice: number | null;
                                stock: number;
                                imageUrl: string | null;
                                category: string | null;
                                featured: boolean;
                                images: string[];
                                averageRating: number | null;
                                reviewCount: number | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/products/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        description?: string | null;
                        price: number;
                        discountPrice?: number | null;
                        stock: number;
                        imageUrl?: string | null;
                        category?: string | null;
                        featured?: boolean | null;
                        images?: (string)[] | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                price: number;
                                discountPrice: number | null;
                                stock: number;
                                imageUrl: string | null;
                                category: string | null;
                                featured: boolean;
                                images: string[];
                                averageRating: number | null;
                                reviewCount: number | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/products/{id}/stock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        stock: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                price: number;
                                discountPrice: number | null;
                                stock: number;
                                imageUrl: string | null;
                                category: string | null;
                                featured: boolean;
                                images: string[];
                                averageRating: number | null;
                                reviewCount: number | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/shopping/admin/inventory/{productId}/inbound": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        quantity: number;
                        reason?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                productId: number;
                                availableQuantity: number;
                                reservedQuantity: number;
                                totalQuantity: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/inventory/{productId}/adjust": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        availableQuantity: number;
                        reason?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                productId: number;
                                availableQuantity: number;
                                reservedQuantity: number;
                                totalQuantity: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/inventory/{productId}/movements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                };
                header?: never;
                path: {
                    productId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    inventoryId: number;
                                    productId: number;
                                    movementType: string;
                                    quantity: number;
                                    previousAvailable: number;
                                    afterAvailable: number;
                                    previousReserved: number;
                                    afterReserved: number;
                                    referenceType: string | null;
                                    referenceId: string | null;
                                    reason: string | null;
                                    performedBy: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                    status?: "PENDING" | "CONFIRMED" | "PAID" | "SHIPPING" | "DELIVERED" | "CANCELLED" | "REFUNDED";
                    keyword?: string;
                    userId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    orderNumber: string;
                                    userId: string;
                                    status: string;
                                    statusDescription: string;
                                    items: {
                                        id: number;
                                        productId: number;
                                        productName: string;
                                        price: number;
                                        quantity: number;
                                        subtotal: number;
                                    }[];
                                    itemCount: number;
                                    totalQuantity: number;
                                    totalAmount: number;
                                    discountAmount: number;
                                    finalAmount: number;
                                    appliedUserCouponId: number | null;
                                    shippingAddress: {
                                        receiverName: string;
                                        receiverPhone: string;
                                        zipCode: string;
                                        address1: string;
                                        address2: string | null;
                                        fullAddress: string;
                                    } | null;
                                    cancelReason: string | null;
                                    /** Format: date-time */
                                    cancelledAt: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                    /** Format: date-time */
                                    paymentDueAt: string | null;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/orders/{orderNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/orders/{orderNumber}/detail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The order with its saga's state, its payments (oldest first) and its delivery (S201) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                order: {
                                    id: number;
                                    orderNumber: string;
                                    userId: string;
                                    status: string;
                                    statusDescription: string;
                                    items: {
                                        id: number;
                                        productId: number;
                                        productName: string;
                                        price: number;
                                        quantity: number;
                                        subtotal: number;
                                    }[];
                                    itemCount: number;
                                    totalQuantity: number;
                                    totalAmount: number;
                                    discountAmount: number;
                                    finalAmount: number;
                                    appliedUserCouponId: number | null;
                                    shippingAddress: {
                                        receiverName: string;
                                        receiverPhone: string;
                                        zipCode: string;
                                        address1: string;
                                        address2: string | null;
                                        fullAddress: string;
                                    } | null;
                                    cancelReason: string | null;
                                    /** Format: date-time */
                                    cancelledAt: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                    /** Format: date-time */
                                    paymentDueAt: string | null;
                                };
                                saga: {
                                    sagaId: string;
                                    /** @enum {string} */
                                    status: "STARTED" | "COMPENSATING" | "COMPLETED" | "FAILED" | "COMPENSATION_FAILED";
                                    currentStep: string;
                                    completedSteps: string[];
                                    lastErrorMessage: string | null;
                                    compensationAttempts: number;
                                    /** Format: date-time */
                                    startedAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                    /** Format: date-time */
                                    completedAt: string | null;
                                } | null;
                                payments: {
                                    id: number;
                                    paymentNumber: string;
                                    orderNumber: string;
                                    userId: string;
                                    amount: number;
                                    status: string;
                                    statusDescription: string;
                                    paymentMethod: string;
                                    paymentMethodDescription: string;
                                    pgTransactionId: string | null;
                                    failureReason: string | null;
                                    /** Format: date-time */
                                    paidAt: string | null;
                                    /** Format: date-time */
                                    refundedAt: string | null;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                }[];
                                delivery: {
                                    id: number;
                                    trackingNumber: string;
                                    orderNumber: string;
                                    status: string;
                                    statusDescription: string;
                                    carrier: string;
                                    shippingAddress: {
                                        receiverName: string;
                                        receiverPhone: string;
                                        zipCode: string;
                                        address1: string;
                                        address2: string | null;
                                        fullAddress: string;
                                    } | null;
                                    /** Format: date */
                                    estimatedDeliveryDate: string | null;
                                    /** Format: date */
                                    actualDeliveryDate: string | null;
                                    histories: {
                                        id: number;
                                        status: string;
                                        statusDescription: string;
                                        location: string | null;
                                        description: string | null;
                                        /** Format: date-time */
                                        createdAt: string;
                                    }[];
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    updatedAt: string;
                                } | null;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/orders/{orderNumber}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    orderNumber: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "PENDING" | "CONFIRMED" | "PAID" | "SHIPPING" | "DELIVERED" | "CANCELLED" | "REFUNDED";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                orderNumber: string;
                                userId: string;
                                status: string;
                                statusDescription: string;
                                items: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    price: number;
                                    quantity: number;
                                    subtotal: number;
                                }[];
                                itemCount: number;
                                totalQuantity: number;
                                totalAmount: number;
                                discountAmount: number;
                                finalAmount: number;
                                appliedUserCouponId: number | null;
                                shippingAddress: {
                                    receiverName: string;
                                    receiverPhone: string;
                                    zipCode: string;
                                    address1: string;
                                    address2: string | null;
                                    fullAddress: string;
                                } | null;
                                cancelReason: string | null;
                                /** Format: date-time */
                                cancelledAt: string | null;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                updatedAt: string;
                                /** Format: date-time */
                                paymentDueAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    userId?: string;
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    userId: string;
                                    type: string;
                                    title: string;
                                    message: string;
                                    eventId: string;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/analytics/daily": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                /** @description UTC day, YYYY-MM-DD */
                                date: string;
                                orders: number;
                                revenue: number;
                                refunds: number;
                                failedPayments: number;
                                couponsIssued: number;
                                dealsStarted: number;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/time-deals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    name: string;
                                    description: string | null;
                                    status: string;
                                    /** Format: date-time */
                                    startsAt: string;
                                    /** Format: date-time */
                                    endsAt: string;
                                    products: {
                                        id: number;
                                        productId: number;
                                        productName: string;
                                        originalPrice: number;
                                        dealPrice: number;
                                        discountRate: number;
                                        dealQuantity: number;
                                        soldQuantity: number;
                                        remainingQuantity: number;
                                        maxPerUser: number;
                                        available: boolean;
                                    }[];
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        description?: string | null;
                        startsAt: string;
                        endsAt: string;
                        products: {
                            productId: number;
                            dealPrice: number;
                            dealQuantity: number;
                            maxPerUser: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                endsAt: string;
                                products: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    originalPrice: number;
                                    dealPrice: number;
                                    discountRate: number;
                                    dealQuantity: number;
                                    soldQuantity: number;
                                    remainingQuantity: number;
                                    maxPerUser: number;
                                    available: boolean;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/time-deals/{timeDealId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    timeDealId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                name: string;
                                description: string | null;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                endsAt: string;
                                products: {
                                    id: number;
                                    productId: number;
                                    productName: string;
                                    originalPrice: number;
                                    dealPrice: number;
                                    discountRate: number;
                                    dealQuantity: number;
                                    soldQuantity: number;
                                    remainingQuantity: number;
                                    maxPerUser: number;
                                    available: boolean;
                                }[];
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    timeDealId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    code: string;
                                    name: string;
                                    description: string | null;
                                    discountType: string;
                                    discountValue: number;
                                    minimumOrderAmount: number | null;
                                    maximumDiscountAmount: number | null;
                                    totalQuantity: number;
                                    issuedQuantity: number;
                                    remainingQuantity: number;
                                    status: string;
                                    /** Format: date-time */
                                    startsAt: string;
                                    /** Format: date-time */
                                    expiresAt: string;
                                    /** Format: date-time */
                                    createdAt: string;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        name: string;
                        description?: string | null;
                        /** @enum {string} */
                        discountType: "FIXED" | "PERCENTAGE";
                        discountValue: number;
                        minimumOrderAmount?: number | null;
                        maximumDiscountAmount?: number | null;
                        totalQuantity: number;
                        startsAt: string;
                        expiresAt: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                code: string;
                                name: string;
                                description: string | null;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                totalQuantity: number;
                                issuedQuantity: number;
                                remainingQuantity: number;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/coupons/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                code: string;
                                name: string;
                                description: string | null;
                                discountType: string;
                                discountValue: number;
                                minimumOrderAmount: number | null;
                                maximumDiscountAmount: number | null;
                                totalQuantity: number;
                                issuedQuantity: number;
                                remainingQuantity: number;
                                status: string;
                                /** Format: date-time */
                                startsAt: string;
                                /** Format: date-time */
                                expiresAt: string;
                                /** Format: date-time */
                                createdAt: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Waiting rooms, active first, each with its settings, line length and admitted entries */
        get: {
            parameters: {
                query?: {
                    page?: number;
                    size?: number;
                    active?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                items: {
                                    id: number;
                                    eventType: string;
                                    eventId: number;
                                    active: boolean;
                                    maxCapacity: number;
                                    entryBatchSize: number;
                                    entryIntervalSeconds: number;
                                    entryTtlSeconds: number;
                                    waiting: number;
                                    admitted: number;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    activatedAt: string | null;
                                    /** Format: date-time */
                                    deactivatedAt: string | null;
                                }[];
                                page: number;
                                size: number;
                                totalElements: number;
                                totalPages: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/queue/{eventType}/{eventId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One waiting room (S801) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                id: number;
                                eventType: string;
                                eventId: number;
                                active: boolean;
                                maxCapacity: number;
                                entryBatchSize: number;
                                entryIntervalSeconds: number;
                                entryTtlSeconds: number;
                                waiting: number;
                                admitted: number;
                                /** Format: date-time */
                                createdAt: string;
                                /** Format: date-time */
                                activatedAt: string | null;
                                /** Format: date-time */
                                deactivatedAt: string | null;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/queue/{eventType}/{eventId}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create or re-activate the queue with these settings (never 409) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        maxCapacity: number;
                        entryBatchSize: number;
                        entryIntervalSeconds: number;
                        entryTtlSeconds?: number | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/queue/{eventType}/{eventId}/deactivate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Close the queue (S801); WAITING → LEFT, ENTERED → EXPIRED */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/queue/{eventType}/{eventId}/process": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run one admission batch now (S801; nothing if inactive) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    eventType: string;
                    eventId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/search/reindex": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            success: true;
                            data: {
                                engine: string;
                                indexed: number;
                                tookMs: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shopping/admin/live/sales": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live sale figures as text/event-stream: a `sale-stats` frame per second (the last complete second, summed over every instance), `: ping` after 15 s of silence */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description `event: sale-stats` frames whose data is `{"type":"sale-stats","data":SaleStats}` */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": {
                            /** Format: date-time */
                            at: string;
                            instances: number;
                            coupons: {
                                couponId: number;
                                code: string;
                                name: string;
                                totalQuantity: number;
                                left: number;
                                issuedPerSec: number;
                                soldOutPerSec: number;
                                limitPerSec: number;
                            }[];
                            timeDeals: {
                                timeDealId: number;
                                name: string;
                                quantity: number;
                                left: number;
                                purchasesPerSec: number;
                                unitsPerSec: number;
                                soldOutPerSec: number;
                                limitPerSec: number;
                            }[];
                            queues: {
                                eventType: string;
                                eventId: number;
                                waiting: number;
                                admitted: number;
                                admissionsPerSec: number;
                            }[];
                            paidOrdersPerSec: number;
                            latency: {
                                /** @enum {string} */
                                route: "coupon-issue" | "timedeal-purchase" | "queue-enter" | "order-pay";
                                requestsPerSec: number;
                                p99Ms: number | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
