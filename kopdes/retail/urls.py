from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("kasir/", views.pos_screen, name="pos"),
    path("kasir/cari/", views.api_lookup, name="api_lookup"),
    path("kasir/anggota/", views.api_member, name="api_member"),
    path("kasir/bayar/", views.api_checkout, name="api_checkout"),
    path("kasir/sw.js", views.till_service_worker, name="till_sw"),
    path("kasir/katalog/", views.api_catalogue, name="api_catalogue"),
    path("kasir/anggota/cari/", views.api_member_search, name="api_member_search"),
    path("kasir/sinkron/", views.api_sync, name="api_sync"),
    path("kasir/pengecualian/", views.sync_exceptions, name="sync_exceptions"),
    path("penjualan/", views.sales, name="sales"),
    path("penjualan/<int:pk>/", views.sale_detail, name="sale"),
    path("penjualan/<int:pk>/struk/", views.receipt, name="receipt"),
    path("shift/<int:pk>/", views.shift_detail, name="shift"),
    path("barang/", views.products, name="products"),
    path("barang/baru/", views.product_edit, name="product_new"),
    path("barang/<int:pk>/", views.product_detail, name="product"),
    path("barang/<int:pk>/ubah/", views.product_edit, name="product_edit"),
    path("stok/", views.stock_ops, name="stock_ops"),
    path("stok/opname/", views.opname, name="opname"),
    path("pembelian/", views.purchases, name="purchases"),
    path("pembelian/baru/", views.purchase_new, name="purchase_new"),
    path("pembelian/pesanan/<int:pk>/", views.po_detail, name="po"),
    path("pupuk/", views.rdkk, name="rdkk"),
    path("pupuk/penebusan/", views.rdkk_report, name="rdkk_report"),
    path("het/", views.het, name="het"),
    path("het/batas/", views.limits, name="limits"),
    path("laporan/", views.reports, name="reports"),
]
