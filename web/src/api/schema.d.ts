/**
 * Generated from the service's OpenAPI document by `npm run api:types`. Do not edit.
 */

export interface paths {
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** MySQL, Redis and the search index are ready (503 C014 if not) */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account and get an access token */
        post: operations["signup"];
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
        /** Exchange an email and password for an access token */
        post: operations["login"];
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
        /** A page of the catalog, optionally of one category */
        get: operations["listProducts"];
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
        /** A product (S001 if there is none) */
        get: operations["getProduct"];
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
        /** A product with its reviews (S001 if there is none) */
        get: operations["getProductWithReviews"];
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
        /** Live stock of some products as text/event-stream: current levels, then every change */
        get: operations["streamInventory"];
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
        /** A product's stock (S401 if it has no inventory) */
        get: operations["getInventory"];
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
        /** The stock of several products (unknown ids are left out) */
        post: operations["getInventoryBatch"];
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
        get: operations["getCart"];
        put?: never;
        post?: never;
        /** Remove every item */
        delete: operations["clearCart"];
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
        post: operations["addCartItem"];
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
        put: operations["updateCartItem"];
        post?: never;
        /** Remove an item */
        delete: operations["removeCartItem"];
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
        post: operations["checkoutCart"];
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
        /** A page of the caller's orders, newest first */
        get: operations["listMyOrders"];
        put?: never;
        /** Order the checked-out cart, optionally with a coupon (honours Idempotency-Key) */
        post: operations["createOrder"];
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
        /** One of the caller's orders (S201, S212 if not theirs) */
        get: operations["getOrder"];
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
        /** Cancel an order: stock released, a paid order refunded (the same as POST) */
        put: operations["cancelOrderWithPut"];
        /** Cancel an order: stock released, a paid order refunded */
        post: operations["cancelOrder"];
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
        /** Pay an order's final amount (honours Idempotency-Key) */
        post: operations["processPayment"];
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
        /** Refund a completed payment: its order becomes REFUNDED */
        post: operations["refundPayment"];
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
        /** A payment (owner or admin) */
        get: operations["getPayment"];
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
        /** Cancel a payment not yet settled (S312 otherwise) */
        post: operations["cancelPayment"];
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
        get: operations["getDelivery"];
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
        get: operations["getOrderDelivery"];
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
        put: operations["updateDeliveryStatus"];
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
        /** The time deals running now, ending soonest first */
        get: operations["listActiveTimeDeals"];
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
        /** The caller's time-deal purchases */
        get: operations["listMyTimeDealPurchases"];
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
        /** A time deal, in any status (S701 if there is none) */
        get: operations["getTimeDeal"];
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
        /** Buy units of a running deal: a PENDING order at the deal price, paid through processPayment */
        post: operations["purchaseTimeDeal"];
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
        /** The coupons that can be issued now, soonest to expire first */
        get: operations["listIssuableCoupons"];
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
        /** The caller's coupons, in every status */
        get: operations["listMyCoupons"];
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
        /** The caller's coupons that can be used now */
        get: operations["listMyAvailableCoupons"];
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
        /** A coupon, in any status (S601 if there is none) */
        get: operations["getCoupon"];
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
        /** Claim one unit of a first-come coupon (one per user) */
        post: operations["issueCoupon"];
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
        post: operations["enterQueue"];
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
        get: operations["getQueueStatus"];
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
        get: operations["getQueueStatusByToken"];
        put?: never;
        post?: never;
        /** Leave by token (S803, S807) */
        delete: operations["leaveQueueByToken"];
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
        delete: operations["leaveQueue"];
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
        get: operations["subscribeQueue"];
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
        /** Search the catalog by keyword and price, 0-based pages (the same as searchProducts) */
        get: operations["search"];
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
        /** Search the catalog by keyword and price, 0-based pages */
        get: operations["searchProducts"];
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
        /** Keywords that complete what was typed (none for fewer than 2 characters) */
        get: operations["suggestKeywords"];
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
        /** The most searched keywords, most first */
        get: operations["listPopularKeywords"];
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
        /** The caller's recent keywords, newest first (none without a token) */
        get: operations["listRecentKeywords"];
        put?: never;
        /** Put a keyword first in the caller's recent keywords (and count it as popular) */
        post: operations["addRecentKeyword"];
        /** Remove all of the caller's recent keywords */
        delete: operations["clearRecentKeywords"];
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
        /** Remove a keyword from the caller's recent keywords */
        delete: operations["removeRecentKeyword"];
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
        /** Create a product with its inventory (an INITIAL stock movement) */
        post: operations["adminCreateProduct"];
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
        /** Replace a product's fields */
        put: operations["adminUpdateProduct"];
        post?: never;
        /** Delete a product */
        delete: operations["adminDeleteProduct"];
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
        /** Set a product's available stock (an ADJUSTMENT movement) */
        patch: operations["adminSetProductStock"];
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
        /** Add received units to the available stock (an INBOUND movement) */
        post: operations["adminReceiveStock"];
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
        /** Set the available stock after a count (an ADJUSTMENT movement) */
        put: operations["adminAdjustStock"];
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
        /** A page of a product's stock movements, newest first */
        get: operations["adminListStockMovements"];
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
        /** A page of all orders, by status and/or keyword */
        get: operations["adminListOrders"];
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
        /** Any user's order */
        get: operations["adminGetOrder"];
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
        get: operations["adminGetOrderDetail"];
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
        /** Move an order to another status (the saga's rules apply) */
        put: operations["adminSetOrderStatus"];
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
        /** A page of the notifications sent, newest first, optionally to one user */
        get: operations["adminListNotifications"];
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
        /** Daily counters for a range of UTC days (default: the last 30) */
        get: operations["adminListDailyStats"];
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
        /** A page of all time deals */
        get: operations["adminListTimeDeals"];
        put?: never;
        /** Schedule a time deal */
        post: operations["adminCreateTimeDeal"];
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
        /** A time deal, in any status */
        get: operations["adminGetTimeDeal"];
        put?: never;
        post?: never;
        /** Cancel a scheduled or running time deal */
        delete: operations["adminCancelTimeDeal"];
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
        /** A page of all coupons */
        get: operations["adminListCoupons"];
        put?: never;
        /** Create a first-come coupon */
        post: operations["adminCreateCoupon"];
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
        /** A coupon, in any status */
        get: operations["adminGetCoupon"];
        put?: never;
        post?: never;
        /** Deactivate a coupon: it can no longer be issued */
        delete: operations["adminDeactivateCoupon"];
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
        get: operations["adminListQueues"];
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
        get: operations["adminGetQueue"];
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
        post: operations["adminActivateQueue"];
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
        post: operations["adminDeactivateQueue"];
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
        post: operations["adminProcessQueue"];
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
        /** Rebuild the search index from the catalog */
        post: operations["adminReindexSearch"];
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
        /**
         * Live sale figures as text/event-stream: one `sale-stats` frame per second, summed over every instance
         * @description Each frame covers the last complete second; `: ping` after 15 s of silence.
         */
        get: operations["adminStreamSaleStats"];
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
    schemas: {
        /**
         * @description Done; no data.
         * @example {
         *       "success": true
         *     }
         */
        SuccessResponse: {
            /** @enum {boolean} */
            success: true;
        };
        FieldError: {
            field: string;
            message: string;
            rejectedValue?: unknown;
        };
        ApiError: {
            /** @description The error registry code: C… for generic errors, S… for business rules */
            code: string;
            message: string;
            /** Format: date-time */
            timestamp: string;
            /** @description The service path, without /api/v1/shopping */
            path?: string;
            details?: components["schemas"]["FieldError"][];
        };
        /**
         * @example {
         *       "success": false,
         *       "error": {
         *         "code": "C002",
         *         "message": "Invalid Input Value",
         *         "timestamp": "2026-01-20T09:30:00.000Z",
         *         "path": "/cart/items",
         *         "details": [
         *           {
         *             "field": "quantity",
         *             "message": "Quantity must be at least 1",
         *             "rejectedValue": 0
         *           }
         *         ]
         *       }
         *     }
         */
        ErrorResponse: {
            /** @enum {boolean} */
            success: false;
            error: components["schemas"]["ApiError"];
        };
        /**
         * @example {
         *       "accessToken": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEifQ.c2lnbmF0dXJl",
         *       "tokenType": "Bearer",
         *       "expiresIn": 3600
         *     }
         */
        AccessToken: {
            accessToken: string;
            /** @enum {string} */
            tokenType: "Bearer";
            /** @description Seconds until the token expires */
            expiresIn: number;
        };
        /**
         * @example {
         *       "id": 42,
         *       "name": "아이폰 15 프로",
         *       "description": "티타늄 디자인, A17 Pro 칩",
         *       "price": 1550000,
         *       "discountPrice": 1450000,
         *       "stock": 120,
         *       "imageUrl": "https://cdn.example.com/products/42.jpg",
         *       "category": "스마트폰",
         *       "featured": true,
         *       "images": [
         *         "https://cdn.example.com/products/42-1.jpg"
         *       ],
         *       "averageRating": null,
         *       "reviewCount": null,
         *       "createdAt": "2026-01-20T09:30:00.000Z",
         *       "updatedAt": "2026-01-20T09:30:00.000Z"
         *     }
         */
        Product: {
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
        Review: {
            id: string;
            title: string | null;
            content: string | null;
            authorId: string | null;
            productId: string;
            rating: number | null;
        };
        /**
         * @example {
         *       "id": 42,
         *       "name": "아이폰 15 프로",
         *       "description": "티타늄 디자인, A17 Pro 칩",
         *       "price": 1550000,
         *       "stock": 120,
         *       "imageUrl": "https://cdn.example.com/products/42.jpg",
         *       "category": "스마트폰",
         *       "reviews": [
         *         {
         *           "id": "r-1",
         *           "title": "만족",
         *           "content": "빠르고 가벼워요",
         *           "authorId": "u-7",
         *           "productId": "42",
         *           "rating": 5
         *         }
         *       ]
         *     }
         */
        ProductWithReviews: {
            id: number;
            name: string;
            description: string | null;
            price: number;
            stock: number;
            imageUrl: string | null;
            category: string | null;
            reviews: components["schemas"]["Review"][];
        };
        /**
         * @description One page of Product items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 42,
         *           "name": "아이폰 15 프로",
         *           "description": "티타늄 디자인, A17 Pro 칩",
         *           "price": 1550000,
         *           "discountPrice": 1450000,
         *           "stock": 120,
         *           "imageUrl": "https://cdn.example.com/products/42.jpg",
         *           "category": "스마트폰",
         *           "featured": true,
         *           "images": [
         *             "https://cdn.example.com/products/42-1.jpg"
         *           ],
         *           "averageRating": null,
         *           "reviewCount": null,
         *           "createdAt": "2026-01-20T09:30:00.000Z",
         *           "updatedAt": "2026-01-20T09:30:00.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        ProductPage: {
            items: components["schemas"]["Product"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "id": 42,
         *       "productId": 42,
         *       "availableQuantity": 118,
         *       "reservedQuantity": 2,
         *       "totalQuantity": 120,
         *       "createdAt": "2026-01-20T09:00:00.000Z",
         *       "updatedAt": "2026-01-20T09:30:00.000Z"
         *     }
         */
        Inventory: {
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
        /**
         * @example {
         *       "id": 301,
         *       "inventoryId": 42,
         *       "productId": 42,
         *       "movementType": "INBOUND",
         *       "quantity": 50,
         *       "previousAvailable": 68,
         *       "afterAvailable": 118,
         *       "previousReserved": 2,
         *       "afterReserved": 2,
         *       "referenceType": null,
         *       "referenceId": null,
         *       "reason": "정기 입고",
         *       "performedBy": "00000000-0000-0000-0000-0000000000ad",
         *       "createdAt": "2026-01-20T09:30:00.000Z"
         *     }
         */
        StockMovement: {
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
        };
        /**
         * @description One page of StockMovement items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 301,
         *           "inventoryId": 42,
         *           "productId": 42,
         *           "movementType": "INBOUND",
         *           "quantity": 50,
         *           "previousAvailable": 68,
         *           "afterAvailable": 118,
         *           "previousReserved": 2,
         *           "afterReserved": 2,
         *           "referenceType": null,
         *           "referenceId": null,
         *           "reason": "정기 입고",
         *           "performedBy": "00000000-0000-0000-0000-0000000000ad",
         *           "createdAt": "2026-01-20T09:30:00.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        StockMovementPage: {
            items: components["schemas"]["StockMovement"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        CartItem: {
            id: number;
            productId: number;
            productName: string;
            price: number;
            quantity: number;
            subtotal: number;
            /** Format: date-time */
            addedAt: string;
        };
        /**
         * @example {
         *       "id": 7,
         *       "userId": "00000000-0000-0000-0000-000000000001",
         *       "status": "ACTIVE",
         *       "items": [
         *         {
         *           "id": 11,
         *           "productId": 42,
         *           "productName": "아이폰 15 프로",
         *           "price": 1450000,
         *           "quantity": 2,
         *           "subtotal": 2900000,
         *           "addedAt": "2026-01-20T09:30:00.000Z"
         *         }
         *       ],
         *       "itemCount": 1,
         *       "totalQuantity": 2,
         *       "totalAmount": 2900000,
         *       "createdAt": "2026-01-20T09:00:00.000Z",
         *       "updatedAt": "2026-01-20T09:30:00.000Z"
         *     }
         */
        Cart: {
            id: number;
            userId: string;
            status: string;
            items: components["schemas"]["CartItem"][];
            itemCount: number;
            totalQuantity: number;
            totalAmount: number;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        /**
         * @example {
         *       "receiverName": "홍길동",
         *       "receiverPhone": "010-1234-5678",
         *       "zipCode": "06236",
         *       "address1": "서울특별시 강남구 테헤란로 123",
         *       "address2": "4층",
         *       "fullAddress": "[06236] 서울특별시 강남구 테헤란로 123 4층"
         *     }
         */
        Address: {
            receiverName: string;
            receiverPhone: string;
            zipCode: string;
            address1: string;
            address2: string | null;
            fullAddress: string;
        };
        DeliveryHistory: {
            id: number;
            status: string;
            statusDescription: string;
            location: string | null;
            description: string | null;
            /** Format: date-time */
            createdAt: string;
        };
        /**
         * @example {
         *       "id": 5,
         *       "trackingNumber": "TRK-0A1B2C3D4E5F",
         *       "orderNumber": "ORD-20260120-3F9A0C1B",
         *       "status": "SHIPPED",
         *       "statusDescription": "발송됨",
         *       "carrier": "기본택배",
         *       "shippingAddress": {
         *         "receiverName": "홍길동",
         *         "receiverPhone": "010-1234-5678",
         *         "zipCode": "06236",
         *         "address1": "서울특별시 강남구 테헤란로 123",
         *         "address2": "4층",
         *         "fullAddress": "[06236] 서울특별시 강남구 테헤란로 123 4층"
         *       },
         *       "estimatedDeliveryDate": "2026-01-23",
         *       "actualDeliveryDate": null,
         *       "histories": [
         *         {
         *           "id": 9,
         *           "status": "PREPARING",
         *           "statusDescription": "준비 중",
         *           "location": null,
         *           "description": null,
         *           "createdAt": "2026-01-20T09:31:00.000Z"
         *         },
         *         {
         *           "id": 10,
         *           "status": "SHIPPED",
         *           "statusDescription": "발송됨",
         *           "location": "서울 강남 물류센터",
         *           "description": "집하 완료",
         *           "createdAt": "2026-01-21T02:00:00.000Z"
         *         }
         *       ],
         *       "createdAt": "2026-01-20T09:31:00.000Z",
         *       "updatedAt": "2026-01-21T02:00:00.000Z"
         *     }
         */
        Delivery: {
            id: number;
            trackingNumber: string;
            orderNumber: string;
            status: string;
            statusDescription: string;
            carrier: string;
            shippingAddress: components["schemas"]["Address"] | (never | null);
            /** Format: date */
            estimatedDeliveryDate: string | null;
            /** Format: date */
            actualDeliveryDate: string | null;
            histories: components["schemas"]["DeliveryHistory"][];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        /**
         * @example {
         *       "id": 3,
         *       "paymentNumber": "PAY-7C2E91AA",
         *       "orderNumber": "ORD-20260120-3F9A0C1B",
         *       "userId": "00000000-0000-0000-0000-000000000001",
         *       "amount": 2900000,
         *       "status": "COMPLETED",
         *       "statusDescription": "완료",
         *       "paymentMethod": "CARD",
         *       "paymentMethodDescription": "카드",
         *       "pgTransactionId": "PG-ABCDEF012345",
         *       "failureReason": null,
         *       "paidAt": "2026-01-20T09:31:00.000Z",
         *       "refundedAt": null,
         *       "createdAt": "2026-01-20T09:31:00.000Z",
         *       "updatedAt": "2026-01-20T09:31:00.000Z"
         *     }
         */
        Payment: {
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
        OrderItem: {
            id: number;
            productId: number;
            productName: string;
            price: number;
            quantity: number;
            subtotal: number;
        };
        /**
         * @example {
         *       "id": 12,
         *       "orderNumber": "ORD-20260120-3F9A0C1B",
         *       "userId": "00000000-0000-0000-0000-000000000001",
         *       "status": "PENDING",
         *       "statusDescription": "대기 중",
         *       "items": [
         *         {
         *           "id": 21,
         *           "productId": 42,
         *           "productName": "아이폰 15 프로",
         *           "price": 1450000,
         *           "quantity": 2,
         *           "subtotal": 2900000
         *         }
         *       ],
         *       "itemCount": 1,
         *       "totalQuantity": 2,
         *       "totalAmount": 2900000,
         *       "discountAmount": 0,
         *       "finalAmount": 2900000,
         *       "appliedUserCouponId": null,
         *       "shippingAddress": {
         *         "receiverName": "홍길동",
         *         "receiverPhone": "010-1234-5678",
         *         "zipCode": "06236",
         *         "address1": "서울특별시 강남구 테헤란로 123",
         *         "address2": "4층",
         *         "fullAddress": "[06236] 서울특별시 강남구 테헤란로 123 4층"
         *       },
         *       "cancelReason": null,
         *       "cancelledAt": null,
         *       "createdAt": "2026-01-20T09:30:00.000Z",
         *       "updatedAt": "2026-01-20T09:30:00.000Z",
         *       "paymentDueAt": "2026-01-20T09:45:00.000Z"
         *     }
         */
        Order: {
            id: number;
            orderNumber: string;
            userId: string;
            status: string;
            statusDescription: string;
            items: components["schemas"]["OrderItem"][];
            itemCount: number;
            totalQuantity: number;
            totalAmount: number;
            discountAmount: number;
            finalAmount: number;
            appliedUserCouponId: number | null;
            shippingAddress: components["schemas"]["Address"] | (never | null);
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
        /**
         * @description One page of Order items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 12,
         *           "orderNumber": "ORD-20260120-3F9A0C1B",
         *           "userId": "00000000-0000-0000-0000-000000000001",
         *           "status": "PENDING",
         *           "statusDescription": "대기 중",
         *           "items": [
         *             {
         *               "id": 21,
         *               "productId": 42,
         *               "productName": "아이폰 15 프로",
         *               "price": 1450000,
         *               "quantity": 2,
         *               "subtotal": 2900000
         *             }
         *           ],
         *           "itemCount": 1,
         *           "totalQuantity": 2,
         *           "totalAmount": 2900000,
         *           "discountAmount": 0,
         *           "finalAmount": 2900000,
         *           "appliedUserCouponId": null,
         *           "shippingAddress": {
         *             "receiverName": "홍길동",
         *             "receiverPhone": "010-1234-5678",
         *             "zipCode": "06236",
         *             "address1": "서울특별시 강남구 테헤란로 123",
         *             "address2": "4층",
         *             "fullAddress": "[06236] 서울특별시 강남구 테헤란로 123 4층"
         *           },
         *           "cancelReason": null,
         *           "cancelledAt": null,
         *           "createdAt": "2026-01-20T09:30:00.000Z",
         *           "updatedAt": "2026-01-20T09:30:00.000Z",
         *           "paymentDueAt": "2026-01-20T09:45:00.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        OrderPage: {
            items: components["schemas"]["Order"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "sagaId": "SAGA-3F9A0C1B",
         *       "status": "STARTED",
         *       "currentStep": "PROCESS_PAYMENT",
         *       "completedSteps": [
         *         "RESERVE_INVENTORY"
         *       ],
         *       "lastErrorMessage": null,
         *       "compensationAttempts": 0,
         *       "startedAt": "2026-01-20T09:30:00.000Z",
         *       "updatedAt": "2026-01-20T09:30:00.000Z",
         *       "completedAt": null
         *     }
         */
        SagaState: {
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
        };
        /**
         * @example {
         *       "order": {
         *         "id": 12,
         *         "orderNumber": "ORD-20260120-3F9A0C1B",
         *         "userId": "00000000-0000-0000-0000-000000000001",
         *         "status": "PENDING",
         *         "statusDescription": "대기 중",
         *         "items": [
         *           {
         *             "id": 21,
         *             "productId": 42,
         *             "productName": "아이폰 15 프로",
         *             "price": 1450000,
         *             "quantity": 2,
         *             "subtotal": 2900000
         *           }
         *         ],
         *         "itemCount": 1,
         *         "totalQuantity": 2,
         *         "totalAmount": 2900000,
         *         "discountAmount": 0,
         *         "finalAmount": 2900000,
         *         "appliedUserCouponId": null,
         *         "shippingAddress": {
         *           "receiverName": "홍길동",
         *           "receiverPhone": "010-1234-5678",
         *           "zipCode": "06236",
         *           "address1": "서울특별시 강남구 테헤란로 123",
         *           "address2": "4층",
         *           "fullAddress": "[06236] 서울특별시 강남구 테헤란로 123 4층"
         *         },
         *         "cancelReason": null,
         *         "cancelledAt": null,
         *         "createdAt": "2026-01-20T09:30:00.000Z",
         *         "updatedAt": "2026-01-20T09:30:00.000Z",
         *         "paymentDueAt": "2026-01-20T09:45:00.000Z"
         *       },
         *       "saga": {
         *         "sagaId": "SAGA-3F9A0C1B",
         *         "status": "STARTED",
         *         "currentStep": "PROCESS_PAYMENT",
         *         "completedSteps": [
         *           "RESERVE_INVENTORY"
         *         ],
         *         "lastErrorMessage": null,
         *         "compensationAttempts": 0,
         *         "startedAt": "2026-01-20T09:30:00.000Z",
         *         "updatedAt": "2026-01-20T09:30:00.000Z",
         *         "completedAt": null
         *       },
         *       "payments": [
         *         {
         *           "id": 3,
         *           "paymentNumber": "PAY-7C2E91AA",
         *           "orderNumber": "ORD-20260120-3F9A0C1B",
         *           "userId": "00000000-0000-0000-0000-000000000001",
         *           "amount": 2900000,
         *           "status": "COMPLETED",
         *           "statusDescription": "완료",
         *           "paymentMethod": "CARD",
         *           "paymentMethodDescription": "카드",
         *           "pgTransactionId": "PG-ABCDEF012345",
         *           "failureReason": null,
         *           "paidAt": "2026-01-20T09:31:00.000Z",
         *           "refundedAt": null,
         *           "createdAt": "2026-01-20T09:31:00.000Z",
         *           "updatedAt": "2026-01-20T09:31:00.000Z"
         *         }
         *       ],
         *       "delivery": null
         *     }
         */
        AdminOrderDetail: {
            order: components["schemas"]["Order"];
            saga: components["schemas"]["SagaState"] | (never | null);
            payments: components["schemas"]["Payment"][];
            delivery: components["schemas"]["Delivery"] | (never | null);
        };
        TimeDealProduct: {
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
        };
        /**
         * @example {
         *       "id": 2,
         *       "name": "오늘의 타임딜",
         *       "description": "오후 2시부터 2시간 한정",
         *       "status": "ACTIVE",
         *       "startsAt": "2026-01-20T05:00:00.000Z",
         *       "endsAt": "2026-01-20T07:00:00.000Z",
         *       "products": [
         *         {
         *           "id": 4,
         *           "productId": 42,
         *           "productName": "아이폰 15 프로",
         *           "originalPrice": 1550000,
         *           "dealPrice": 990000,
         *           "discountRate": 36.13,
         *           "dealQuantity": 100,
         *           "soldQuantity": 37,
         *           "remainingQuantity": 63,
         *           "maxPerUser": 1,
         *           "available": true
         *         }
         *       ],
         *       "createdAt": "2026-01-19T08:00:00.000Z"
         *     }
         */
        TimeDeal: {
            id: number;
            name: string;
            description: string | null;
            status: string;
            /** Format: date-time */
            startsAt: string;
            /** Format: date-time */
            endsAt: string;
            products: components["schemas"]["TimeDealProduct"][];
            /** Format: date-time */
            createdAt: string;
        };
        /**
         * @example {
         *       "id": 77,
         *       "timeDealProductId": 4,
         *       "productName": "아이폰 15 프로",
         *       "quantity": 1,
         *       "purchasePrice": 990000,
         *       "totalPrice": 990000,
         *       "purchasedAt": "2026-01-20T05:00:03.000Z",
         *       "orderNumber": "ORD-20260120-3F9A0C1B",
         *       "status": "PURCHASED",
         *       "paymentDueAt": "2026-01-20T05:15:03.000Z"
         *     }
         */
        TimeDealPurchase: {
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
        /**
         * @description One page of TimeDeal items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 2,
         *           "name": "오늘의 타임딜",
         *           "description": "오후 2시부터 2시간 한정",
         *           "status": "ACTIVE",
         *           "startsAt": "2026-01-20T05:00:00.000Z",
         *           "endsAt": "2026-01-20T07:00:00.000Z",
         *           "products": [
         *             {
         *               "id": 4,
         *               "productId": 42,
         *               "productName": "아이폰 15 프로",
         *               "originalPrice": 1550000,
         *               "dealPrice": 990000,
         *               "discountRate": 36.13,
         *               "dealQuantity": 100,
         *               "soldQuantity": 37,
         *               "remainingQuantity": 63,
         *               "maxPerUser": 1,
         *               "available": true
         *             }
         *           ],
         *           "createdAt": "2026-01-19T08:00:00.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        TimeDealPage: {
            items: components["schemas"]["TimeDeal"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "id": 9,
         *       "code": "WELCOME_5000",
         *       "name": "신규 가입 5,000원 할인",
         *       "description": "3만원 이상 주문 시 사용",
         *       "discountType": "FIXED",
         *       "discountValue": 5000,
         *       "minimumOrderAmount": 30000,
         *       "maximumDiscountAmount": null,
         *       "totalQuantity": 1000,
         *       "issuedQuantity": 250,
         *       "remainingQuantity": 750,
         *       "status": "ACTIVE",
         *       "startsAt": "2026-01-20T00:00:00.000Z",
         *       "expiresAt": "2026-02-20T00:00:00.000Z",
         *       "createdAt": "2026-01-19T08:00:00.000Z"
         *     }
         */
        Coupon: {
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
        /**
         * @example {
         *       "id": 31,
         *       "couponId": 9,
         *       "couponCode": "WELCOME_5000",
         *       "couponName": "신규 가입 5,000원 할인",
         *       "discountType": "FIXED",
         *       "discountValue": 5000,
         *       "minimumOrderAmount": 30000,
         *       "maximumDiscountAmount": null,
         *       "status": "AVAILABLE",
         *       "issuedAt": "2026-01-20T09:00:00.000Z",
         *       "expiresAt": "2026-02-20T00:00:00.000Z",
         *       "usedAt": null,
         *       "usedOrderId": null
         *     }
         */
        UserCoupon: {
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
        /**
         * @description One page of Coupon items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 9,
         *           "code": "WELCOME_5000",
         *           "name": "신규 가입 5,000원 할인",
         *           "description": "3만원 이상 주문 시 사용",
         *           "discountType": "FIXED",
         *           "discountValue": 5000,
         *           "minimumOrderAmount": 30000,
         *           "maximumDiscountAmount": null,
         *           "totalQuantity": 1000,
         *           "issuedQuantity": 250,
         *           "remainingQuantity": 750,
         *           "status": "ACTIVE",
         *           "startsAt": "2026-01-20T00:00:00.000Z",
         *           "expiresAt": "2026-02-20T00:00:00.000Z",
         *           "createdAt": "2026-01-19T08:00:00.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        CouponPage: {
            items: components["schemas"]["Coupon"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "entryToken": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
         *       "status": "WAITING",
         *       "position": 12,
         *       "estimatedWaitSeconds": 5,
         *       "totalWaiting": 340,
         *       "message": "현재 12번째 대기 중입니다. 예상 대기 시간: 5초"
         *     }
         */
        QueueStatus: {
            entryToken: string;
            /** @enum {string} */
            status: "WAITING" | "ENTERED" | "EXPIRED" | "LEFT";
            position: number;
            estimatedWaitSeconds: number;
            totalWaiting: number;
            message: string;
        };
        /**
         * @example {
         *       "id": 3,
         *       "eventType": "TIMEDEAL",
         *       "eventId": 7,
         *       "active": true,
         *       "maxCapacity": 20,
         *       "entryBatchSize": 5,
         *       "entryIntervalSeconds": 5,
         *       "entryTtlSeconds": 600,
         *       "waiting": 1200,
         *       "admitted": 20,
         *       "createdAt": "2026-01-20T09:00:00.000Z",
         *       "activatedAt": "2026-01-20T09:00:00.000Z",
         *       "deactivatedAt": null
         *     }
         */
        WaitingRoom: {
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
        /**
         * @description One page of WaitingRoom items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 3,
         *           "eventType": "TIMEDEAL",
         *           "eventId": 7,
         *           "active": true,
         *           "maxCapacity": 20,
         *           "entryBatchSize": 5,
         *           "entryIntervalSeconds": 5,
         *           "entryTtlSeconds": 600,
         *           "waiting": 1200,
         *           "admitted": 20,
         *           "createdAt": "2026-01-20T09:00:00.000Z",
         *           "activatedAt": "2026-01-20T09:00:00.000Z",
         *           "deactivatedAt": null
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        WaitingRoomPage: {
            items: components["schemas"]["WaitingRoom"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        SearchHit: {
            id: number;
            name: string;
            description: string | null;
            price: number;
            stock: number;
            highlightedName: string | null;
            highlightedDescription: string | null;
            score: number | null;
        };
        /**
         * @example {
         *       "results": [
         *         {
         *           "id": 42,
         *           "name": "아이폰 15 프로",
         *           "description": "티타늄 디자인, A17 Pro 칩",
         *           "price": 1550000,
         *           "stock": 120,
         *           "highlightedName": "<em>아이폰</em> 15 프로",
         *           "highlightedDescription": null,
         *           "score": 7.31
         *         }
         *       ],
         *       "totalHits": 1,
         *       "page": 0,
         *       "size": 20,
         *       "totalPages": 1
         *     }
         */
        SearchResults: {
            results: components["schemas"]["SearchHit"][];
            totalHits: number;
            page: number;
            size: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "engine": "memory",
         *       "indexed": 110,
         *       "tookMs": 42
         *     }
         */
        ReindexResult: {
            engine: string;
            indexed: number;
            tookMs: number;
        };
        /**
         * @example {
         *       "id": 15,
         *       "userId": "00000000-0000-0000-0000-000000000001",
         *       "type": "ORDER_CREATED",
         *       "title": "주문이 접수되었습니다",
         *       "message": "주문 ORD-20260120-3F9A0C1B이 접수되었습니다.",
         *       "eventId": "0b6c3f7e-2a51-4d0a-9a35-5f1d2c7e8b90",
         *       "createdAt": "2026-01-20T09:30:01.000Z"
         *     }
         */
        Notification: {
            id: number;
            userId: string;
            type: string;
            title: string;
            message: string;
            eventId: string;
            /** Format: date-time */
            createdAt: string;
        };
        /**
         * @description One page of Notification items (page is 1-based)
         * @example {
         *       "items": [
         *         {
         *           "id": 15,
         *           "userId": "00000000-0000-0000-0000-000000000001",
         *           "type": "ORDER_CREATED",
         *           "title": "주문이 접수되었습니다",
         *           "message": "주문 ORD-20260120-3F9A0C1B이 접수되었습니다.",
         *           "eventId": "0b6c3f7e-2a51-4d0a-9a35-5f1d2c7e8b90",
         *           "createdAt": "2026-01-20T09:30:01.000Z"
         *         }
         *       ],
         *       "page": 1,
         *       "size": 20,
         *       "totalElements": 1,
         *       "totalPages": 1
         *     }
         */
        NotificationPage: {
            items: components["schemas"]["Notification"][];
            page: number;
            size: number;
            totalElements: number;
            totalPages: number;
        };
        /**
         * @example {
         *       "date": "2026-01-20",
         *       "orders": 132,
         *       "revenue": 48250000,
         *       "refunds": 3,
         *       "failedPayments": 5,
         *       "couponsIssued": 250,
         *       "dealsStarted": 1
         *     }
         */
        DailyStats: {
            /** @description UTC day, YYYY-MM-DD */
            date: string;
            orders: number;
            revenue: number;
            refunds: number;
            failedPayments: number;
            couponsIssued: number;
            dealsStarted: number;
        };
        /**
         * @example {
         *       "at": "2026-12-05T01:02:03.000Z",
         *       "instances": 2,
         *       "coupons": [
         *         {
         *           "couponId": 3,
         *           "code": "FLASH500",
         *           "name": "선착순 5천원 할인",
         *           "totalQuantity": 500,
         *           "left": 120,
         *           "issuedPerSec": 40,
         *           "soldOutPerSec": 3,
         *           "limitPerSec": 1
         *         }
         *       ],
         *       "timeDeals": [
         *         {
         *           "timeDealId": 7,
         *           "name": "오늘의 타임딜",
         *           "quantity": 200,
         *           "left": 31,
         *           "purchasesPerSec": 12,
         *           "unitsPerSec": 12,
         *           "soldOutPerSec": 0,
         *           "limitPerSec": 2
         *         }
         *       ],
         *       "queues": [
         *         {
         *           "eventType": "TIMEDEAL",
         *           "eventId": 7,
         *           "waiting": 1200,
         *           "admitted": 300,
         *           "admissionsPerSec": 50
         *         }
         *       ],
         *       "paidOrdersPerSec": 7,
         *       "latency": [
         *         {
         *           "route": "coupon-issue",
         *           "requestsPerSec": 55,
         *           "p99Ms": 12.5
         *         }
         *       ]
         *     }
         */
        SaleStats: {
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
        /**
         * @description The probe's answer
         * @example {
         *       "status": "UP",
         *       "components": {
         *         "mysql": "UP",
         *         "redis": "UP",
         *         "search": "UP",
         *         "eventBus": "UP"
         *       }
         *     }
         */
        Health: {
            status: string;
            components?: {
                mysql: string;
                redis: string;
                search: string;
                eventBus: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The probe's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The probe's answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    signup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "new.user@example.com",
                 *       "password": "password123",
                 *       "nickname": "새 사용자"
                 *     }
                 */
                "application/json": {
                    /** Format: email */
                    email: string;
                    password: string;
                    nickname: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["AccessToken"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "test@example.com",
                 *       "password": "password123"
                 *     }
                 */
                "application/json": {
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["AccessToken"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listProducts: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["ProductPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getProduct: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Product"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getProductWithReviews: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["ProductWithReviews"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    streamInventory: {
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
            /** @description A stream of Server-Sent Events, each `data:` line a JSON frame */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getInventory: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Inventory"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getInventoryBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "productIds": [
                 *         42,
                 *         43
                 *       ]
                 *     }
                 */
                "application/json": {
                    productIds: number[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Inventory"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getCart: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    clearCart: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    addCartItem: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "productId": 42,
                 *       "quantity": 2
                 *     }
                 */
                "application/json": {
                    productId: number | null;
                    quantity: number | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    updateCartItem: {
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
                /**
                 * @example {
                 *       "quantity": 3
                 *     }
                 */
                "application/json": {
                    quantity: number | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    removeCartItem: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    checkoutCart: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Cart"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listMyOrders: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["OrderPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    createOrder: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "cartId": 7,
                 *       "shippingAddress": {
                 *         "receiverName": "홍길동",
                 *         "receiverPhone": "010-1234-5678",
                 *         "zipCode": "06236",
                 *         "address1": "서울특별시 강남구 테헤란로 123",
                 *         "address2": "4층"
                 *       },
                 *       "userCouponId": null
                 *     }
                 */
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getOrder: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    cancelOrderWithPut: {
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
                /**
                 * @example {
                 *       "reason": "단순 변심"
                 *     }
                 */
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    cancelOrder: {
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
                /**
                 * @example {
                 *       "reason": "단순 변심"
                 *     }
                 */
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    processPayment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "orderNumber": "ORD-20260120-3F9A0C1B",
                 *       "paymentMethod": "CARD"
                 *     }
                 */
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Payment"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    refundPayment: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Payment"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getPayment: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Payment"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    cancelPayment: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Payment"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getDelivery: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Delivery"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getOrderDelivery: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Delivery"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    updateDeliveryStatus: {
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
                /**
                 * @example {
                 *       "status": "SHIPPED",
                 *       "location": "서울 강남 물류센터",
                 *       "description": "집하 완료"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    status: "PREPARING" | "SHIPPED" | "IN_TRANSIT" | "DELIVERED" | "RETURNED" | "CANCELLED";
                    location?: string | null;
                    description?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Delivery"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listActiveTimeDeals: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDeal"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listMyTimeDealPurchases: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDealPurchase"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getTimeDeal: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDeal"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    purchaseTimeDeal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "timeDealProductId": 4,
                 *       "quantity": 1,
                 *       "shippingAddress": {
                 *         "receiverName": "홍길동",
                 *         "receiverPhone": "010-1234-5678",
                 *         "zipCode": "06236",
                 *         "address1": "서울특별시 강남구 테헤란로 123",
                 *         "address2": "4층"
                 *       }
                 *     }
                 */
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDealPurchase"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listIssuableCoupons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Coupon"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listMyCoupons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["UserCoupon"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listMyAvailableCoupons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["UserCoupon"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getCoupon: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Coupon"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    issueCoupon: {
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["UserCoupon"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    enterQueue: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["QueueStatus"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getQueueStatus: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["QueueStatus"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getQueueStatusByToken: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["QueueStatus"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    leaveQueueByToken: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    leaveQueue: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    subscribeQueue: {
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
            /** @description A stream of Server-Sent Events, each `data:` line a JSON frame */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    search: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["SearchResults"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    searchProducts: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["SearchResults"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    suggestKeywords: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /**
                         * @example [
                         *       "아이폰",
                         *       "아이패드",
                         *       "에어팟"
                         *     ]
                         */
                        data: string[];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listPopularKeywords: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /**
                         * @example [
                         *       "아이폰",
                         *       "아이패드",
                         *       "에어팟"
                         *     ]
                         */
                        data: string[];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    listRecentKeywords: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /**
                         * @example [
                         *       "아이폰",
                         *       "아이패드",
                         *       "에어팟"
                         *     ]
                         */
                        data: string[];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    addRecentKeyword: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    clearRecentKeywords: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    removeRecentKeyword: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminCreateProduct: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "아이폰 15 프로",
                 *       "description": "티타늄 디자인, A17 Pro 칩",
                 *       "price": 1550000,
                 *       "discountPrice": 1450000,
                 *       "stock": 120,
                 *       "imageUrl": "https://cdn.example.com/products/42.jpg",
                 *       "category": "스마트폰",
                 *       "featured": true,
                 *       "images": [
                 *         "https://cdn.example.com/products/42-1.jpg"
                 *       ]
                 *     }
                 */
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Product"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminUpdateProduct: {
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
                /**
                 * @example {
                 *       "name": "아이폰 15 프로",
                 *       "description": "티타늄 디자인, A17 Pro 칩",
                 *       "price": 1550000,
                 *       "discountPrice": 1450000,
                 *       "stock": 120,
                 *       "imageUrl": "https://cdn.example.com/products/42.jpg",
                 *       "category": "스마트폰",
                 *       "featured": true,
                 *       "images": [
                 *         "https://cdn.example.com/products/42-1.jpg"
                 *       ]
                 *     }
                 */
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Product"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminDeleteProduct: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminSetProductStock: {
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
                /**
                 * @example {
                 *       "stock": 80
                 *     }
                 */
                "application/json": {
                    stock: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Product"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminReceiveStock: {
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
                /**
                 * @example {
                 *       "quantity": 50,
                 *       "reason": "정기 입고"
                 *     }
                 */
                "application/json": {
                    quantity: number;
                    reason?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Inventory"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminAdjustStock: {
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
                /**
                 * @example {
                 *       "availableQuantity": 100,
                 *       "reason": "재고 실사"
                 *     }
                 */
                "application/json": {
                    availableQuantity: number;
                    reason?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Inventory"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListStockMovements: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["StockMovementPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListOrders: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["OrderPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminGetOrder: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminGetOrderDetail: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["AdminOrderDetail"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminSetOrderStatus: {
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
                /**
                 * @example {
                 *       "status": "SHIPPING"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    status: "PENDING" | "CONFIRMED" | "PAID" | "SHIPPING" | "DELIVERED" | "CANCELLED" | "REFUNDED";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Order"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListNotifications: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["NotificationPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListDailyStats: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["DailyStats"][];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListTimeDeals: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDealPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminCreateTimeDeal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "오늘의 타임딜",
                 *       "description": "오후 2시부터 2시간 한정",
                 *       "startsAt": "2026-01-20T05:00:00Z",
                 *       "endsAt": "2026-01-20T07:00:00Z",
                 *       "products": [
                 *         {
                 *           "productId": 42,
                 *           "dealPrice": 990000,
                 *           "dealQuantity": 100,
                 *           "maxPerUser": 1
                 *         }
                 *       ]
                 *     }
                 */
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDeal"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminGetTimeDeal: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["TimeDeal"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminCancelTimeDeal: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListCoupons: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["CouponPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminCreateCoupon: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "WELCOME_5000",
                 *       "name": "신규 가입 5,000원 할인",
                 *       "description": "3만원 이상 주문 시 사용",
                 *       "discountType": "FIXED",
                 *       "discountValue": 5000,
                 *       "minimumOrderAmount": 30000,
                 *       "maximumDiscountAmount": null,
                 *       "totalQuantity": 1000,
                 *       "startsAt": "2026-01-20T00:00:00",
                 *       "expiresAt": "2026-02-20T00:00:00"
                 *     }
                 */
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
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Coupon"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminGetCoupon: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["Coupon"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminDeactivateCoupon: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminListQueues: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["WaitingRoomPage"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminGetQueue: {
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
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["WaitingRoom"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminActivateQueue: {
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
                /**
                 * @example {
                 *       "maxCapacity": 100,
                 *       "entryBatchSize": 10,
                 *       "entryIntervalSeconds": 5,
                 *       "entryTtlSeconds": 600
                 *     }
                 */
                "application/json": {
                    maxCapacity: number;
                    entryBatchSize: number;
                    entryIntervalSeconds: number;
                    entryTtlSeconds?: number | null;
                };
            };
        };
        responses: {
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminDeactivateQueue: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminProcessQueue: {
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
            /** @description Done; no data. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SuccessResponse"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminReindexSearch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        data: components["schemas"]["ReindexResult"];
                    };
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    adminStreamSaleStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["SaleStats"];
                };
            };
            /** @description An error: the error envelope, with the status and code of the error registry */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
}
