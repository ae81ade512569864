<%@ page contentType="text/plain; charset=UTF-8" trimDirectiveWhitespaces="true" %>
<%
  // the lab's not-serializable fault: a Serializable map holding a java.lang.Object, which is
  // not. Tomcat's own check (the attribute itself is Serializable) lets it in; DeltaManager
  // fails when it serializes the session's changes for the other members, after the request.
  java.util.HashMap<String, Object> cart = new java.util.HashMap<>();
  cart.put("item", new Object());
  session.setAttribute("cart", cart);
%>
node=<%= System.getProperty("lab.node") %> session=<%= session.getId() %>
